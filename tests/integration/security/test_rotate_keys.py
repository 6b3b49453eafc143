"""Key rotation: rotate-keys re-encrypts every value under the newest key, audited, repeatable."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from recovery.extensions import db
from recovery.models import AuditEvent, Subscriber
from tests.helpers.databases import make_config
from tests.helpers.people import make_subscriber

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()


@pytest.fixture
def config(config):
    config.PII_ENCRYPTION_KEYS = (OLD,)
    return config


def _tokens(session: Session) -> list[str]:
    rows = session.execute(
        text("SELECT last_name, first_name, patronymic, registered_address, email FROM subscribers")
    ).all()
    return [value for row in rows for value in row if value is not None]


def test_rotate_keys_moves_every_value_to_the_newest_key(config, make_app, database_url, session):
    make_subscriber(session, config.PII_KEY)
    make_subscriber(session, config.PII_KEY, msisdn="+79031112233", full_name="Петрова Анна", email=None)
    assert len(_tokens(session)) == 8  # 5 + 3 (no patronymic, no e-mail)

    rotated_app = make_app(make_config(database_url, PII_ENCRYPTION_KEYS=(NEW, OLD)))
    result = rotated_app.test_cli_runner().invoke(args=["rotate-keys", "--batch-size", "1"])
    assert result.exit_code == 0, result.output
    assert "2 rows read, 8 values re-encrypted, 0 already under the newest key" in result.output

    for token in _tokens(session):
        Fernet(NEW).decrypt(token.encode())
        with pytest.raises(InvalidToken):
            Fernet(OLD).decrypt(token.encode())
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "pii.rotate_keys")).one()
    assert (event.actor, event.channel) == ("cli", "cli")
    assert event.details == {"rows": 2, "rotated": 8, "already_current": 0, "keys_configured": 2}

    # A second run has nothing left to do; the old key can then be dropped.
    again = rotated_app.test_cli_runner().invoke(args=["rotate-keys"])
    assert "0 values re-encrypted, 8 already under the newest key" in again.output
    new_only = make_app(make_config(database_url, PII_ENCRYPTION_KEYS=(NEW,)))
    with new_only.app_context():
        names = sorted(s.full_name for s in db.session.scalars(select(Subscriber)))
    assert names == ["Иванов Иван Иванович", "Петрова Анна"]


def test_rotate_keys_stops_on_a_value_no_key_can_read(config, make_app, database_url, session):
    make_subscriber(session, config.PII_KEY)
    wrong_app = make_app(make_config(database_url, PII_ENCRYPTION_KEYS=(NEW,)))  # old key forgotten
    result = wrong_app.test_cli_runner().invoke(args=["rotate-keys"])
    assert result.exit_code != 0
    assert "cannot be decrypted" in str(result.exception)
    assert "Иванов" not in str(result.exception)
    assert session.scalars(select(AuditEvent).where(AuditEvent.action == "pii.rotate_keys")).all() == []
