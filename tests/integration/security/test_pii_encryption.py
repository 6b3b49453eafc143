"""Names, addresses and e-mails are stored encrypted; the application reads them in clear."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from recovery import create_app
from recovery.extensions import db
from recovery.iccid import with_check_digit
from recovery.ledger.imports import import_subscribers
from recovery.models import Subscriber
from recovery.security.crypto import PiiDecryptionError
from tests.helpers.databases import make_config
from tests.helpers.people import IVANOV, make_subscriber

ENCRYPTED_COLUMNS = ("last_name", "first_name", "patronymic", "registered_address", "email")
#: Иванов's values in the order of ENCRYPTED_COLUMNS.
IVANOV_STORED = (*IVANOV["full_name"].split(), IVANOV["address"], IVANOV["email"])


def _stored(session, msisdn: str = "+79161234567") -> tuple:
    """What the database itself holds, read past the column type."""
    columns = ", ".join(ENCRYPTED_COLUMNS)
    return session.execute(text(f"SELECT {columns} FROM subscribers WHERE msisdn = :m"), {"m": msisdn}).one()


def test_the_database_holds_tokens_and_the_model_reads_clear_text(config, session):
    make_subscriber(session, config.PII_KEY)
    stored = _stored(session)
    keys = Fernet(config.PII_ENCRYPTION_KEYS[0])
    for value, clear in zip(stored, IVANOV_STORED, strict=True):
        assert clear not in value
        assert keys.decrypt(value.encode()).decode() == clear
    session.expunge_all()
    subscriber = session.scalars(select(Subscriber)).one()
    assert subscriber.full_name == "Иванов Иван Иванович"
    assert (subscriber.registered_address, subscriber.email) == IVANOV_STORED[3:]


def test_each_write_is_a_fresh_token_and_null_stays_null(config, session):
    make_subscriber(session, config.PII_KEY, msisdn="+79161111111", full_name="Петров Пётр", email=None)
    make_subscriber(session, config.PII_KEY, msisdn="+79162222222", full_name="Петров Пётр")
    first, second = _stored(session, "+79161111111"), _stored(session, "+79162222222")
    assert first[0] != second[0]  # same surname, different tokens: nothing to correlate
    assert first[2] is None and first[4] is None


def test_the_app_request_path_reads_through_the_same_keys(app, config, session):
    make_subscriber(session, config.PII_KEY)
    with app.app_context():
        assert db.session.scalars(select(Subscriber.first_name)).one() == "Иван"


def test_encrypted_columns_refuse_sql_comparisons_that_could_never_match(session):
    with pytest.raises(TypeError, match="encrypted"):
        select(Subscriber).where(Subscriber.last_name == "Иванов")
    with pytest.raises(TypeError, match="encrypted"):
        select(Subscriber).order_by(Subscriber.email.desc())
    # NULL tests are meaningful and allowed.
    assert session.scalars(select(Subscriber).where(Subscriber.email.is_(None))).all() == []
    assert session.scalars(select(Subscriber).where(Subscriber.patronymic != None)).all() == []  # noqa: E711


def test_two_apps_with_different_keys_in_one_process_keep_apart(config, session, second_database_url):
    other = create_app(
        make_config(second_database_url, PII_ENCRYPTION_KEYS=(Fernet.generate_key().decode(),))
    )
    with other.app_context():
        other_engine = db.engine
    other_session = Session(other_engine, expire_on_commit=False)
    try:
        # Interleaved writes and reads: each app uses its own key, whichever app was built last.
        make_subscriber(session, config.PII_KEY)
        make_subscriber(other_session, config.PII_KEY, full_name="Сидоров Семён Семёнович")
        session.expunge_all()
        other_session.expunge_all()
        assert session.scalars(select(Subscriber.last_name)).one() == "Иванов"
        assert other_session.scalars(select(Subscriber.last_name)).one() == "Сидоров"
        # A token of the first app's key means nothing under the second app's key.
        token = _stored(session)[0]
        other_session.execute(text("UPDATE subscribers SET last_name = :t"), {"t": token})
        other_session.commit()
        other_session.expunge_all()
        with pytest.raises(PiiDecryptionError) as raised:
            other_session.scalars(select(Subscriber.last_name)).one()
        assert token not in str(raised.value)
    finally:
        other_session.close()
        other_engine.dispose()


CSV = (
    "msisdn,full_name,passport,registered_address,home_region,iccid,activated_at,email,tariff,balance_rub\n"
    '+79161234567,Иванов Иван Иванович,4509 123456,"г. Москва, ул. Ленина, д. 5, кв. 12",RU-MOW,'
    f"{with_check_digit('8970199000000000001')},2024-01-01T10:00:00+03:00,ivanov@example.ru,smart,350.00\n"
)


def test_imports_write_encrypted_values_and_update_through_them(config, session):
    import_subscribers(session, io.BytesIO(CSV.encode()), config.PII_KEY)
    session.commit()
    assert "Иванов" not in _stored(session)[0]
    moved = CSV.replace("д. 5, кв. 12", "д. 7, кв. 1")
    result = import_subscribers(session, io.BytesIO(moved.encode()), config.PII_KEY)
    session.commit()
    assert (result.added, result.updated) == (0, 1)
    again = import_subscribers(session, io.BytesIO(moved.encode()), config.PII_KEY)
    assert again.updated == 0  # compared in clear, so an unchanged row is not rewritten
    session.expunge_all()
    assert (
        session.scalars(select(Subscriber.registered_address)).one() == "г. Москва, ул. Ленина, д. 7, кв. 1"
    )
