"""The PII keyring and the EncryptedText column type, without an app."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select, text
from sqlalchemy.exc import StatementError

from recovery.models.types import EncryptedText
from recovery.security.crypto import MissingKeyring, PiiDecryptionError, PiiKeyring, bind_keyring
from recovery.security.rotation import encrypted_columns

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def test_the_newest_key_encrypts_and_every_key_decrypts():
    old_ring, ring = PiiKeyring([OLD]), PiiKeyring([NEW, OLD])
    made_before = old_ring.encrypt("Иванов")
    made_now = ring.encrypt("Иванов")
    assert ring.decrypt(made_before) == ring.decrypt(made_now) == "Иванов"
    assert Fernet(NEW).decrypt(made_now.encode()) == "Иванов".encode()
    assert not ring.is_current(made_before) and ring.is_current(made_now)
    assert ring.is_current(ring.rotate(made_before))


def test_tokens_are_randomised():
    ring = PiiKeyring([NEW])
    assert ring.encrypt("Иванов") != ring.encrypt("Иванов")


@pytest.mark.parametrize("token", ["Иванов", "gAAAAABnot-a-token", ""])
def test_an_unreadable_value_is_an_error_that_does_not_quote_it(token):
    ring = PiiKeyring([NEW])
    with pytest.raises(PiiDecryptionError) as raised:
        ring.decrypt(token)
    assert token not in str(raised.value) or token == ""
    with pytest.raises(PiiDecryptionError):
        ring.rotate(token)


def test_a_token_of_a_forgotten_key_cannot_be_read():
    with pytest.raises(PiiDecryptionError):
        PiiKeyring([NEW]).decrypt(PiiKeyring([OLD]).encrypt("Иванов"))


def test_a_keyring_needs_a_key():
    with pytest.raises(ValueError, match="at least one"):
        PiiKeyring([])


def _people(metadata: MetaData) -> Table:
    return Table("people", metadata, Column("id", Integer, primary_key=True), Column("name", EncryptedText))


def test_the_column_type_uses_the_keyring_bound_to_its_engine():
    metadata = MetaData()
    people = _people(metadata)
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    ring = PiiKeyring([NEW])
    bind_keyring(engine, ring)
    with engine.begin() as connection:
        connection.execute(insert(people), [{"name": "Иванов"}, {"name": None}])
        assert connection.execute(select(people.c.name).order_by(people.c.id)).scalars().all() == [
            "Иванов",
            None,
        ]
        stored = connection.execute(text("SELECT name FROM people ORDER BY id")).scalars().all()
    assert stored[1] is None and ring.decrypt(stored[0]) == "Иванов" and "Иванов" not in stored[0]
    assert [(t.name, [c.name for c in cols]) for t, cols in encrypted_columns(metadata)] == [
        ("people", ["name"])
    ]


def test_an_engine_without_keys_refuses_to_store_in_clear():
    metadata = MetaData()
    people = _people(metadata)
    engine = create_engine("sqlite://", hide_parameters=True)  # as the app's engines
    metadata.create_all(engine)
    with engine.begin() as connection, pytest.raises(StatementError) as raised:
        connection.execute(insert(people), {"name": "Иванов"})
    assert isinstance(raised.value.orig, MissingKeyring)
    assert "Иванов" not in str(raised.value)


@pytest.mark.parametrize(
    "build",
    [
        lambda c: c == "Иванов",
        lambda c: c != "Иванов",
        lambda c: c.in_(["Иванов"]),
        lambda c: c.like("Ив%"),
        lambda c: c.desc(),
        lambda c: c > "А",
    ],
    ids=["eq", "ne", "in", "like", "order", "gt"],
)
def test_sql_comparisons_on_an_encrypted_column_are_refused(build):
    people = _people(MetaData())
    with pytest.raises(TypeError, match="encrypted"):
        build(people.c.name)


def test_null_tests_on_an_encrypted_column_are_allowed():
    people = _people(MetaData())
    for clause in (people.c.name.is_(None), people.c.name.is_not(None), people.c.name == None):  # noqa: E711
        assert "IS" in str(clause)
