"""Issue 13, item 8: the outbox holds no address, number or message in clear; rotate-keys covers it."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet, InvalidToken
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from recovery.claims import notifications
from recovery.extensions import db
from recovery.models import Notification
from recovery.sms import OutboxSmsBackend
from tests.helpers.databases import make_config
from tests.helpers.people import make_subscriber

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()
NUMBER = "+79161234567"


@pytest.fixture
def config(config):
    config.PII_ENCRYPTION_KEYS = (OLD,)
    return config


def _raw(session) -> list[tuple]:
    return session.execute(text("SELECT recipient, subject, body FROM notifications ORDER BY id")).all()


def _queue_both(session, pii_key) -> None:
    subscriber = make_subscriber(session, pii_key)
    notifications.queue(session, subscriber, notifications.sim_blocked(NUMBER, "T-1"))
    OutboxSmsBackend().send(session, NUMBER, "Код для входа в личный кабинет: 295306.")
    session.commit()


def test_the_raw_rows_hold_no_address_number_or_code(session, config):
    _queue_both(session, config.PII_KEY)
    raw = _raw(session)
    assert len(raw) == 2
    dump = repr(raw)
    for clear in ("ivanov@example.ru", "79161234567", "295306", "заблокирована", "SMS"):
        assert clear not in dump
    for row in raw:
        for token in row:
            Fernet(OLD).decrypt(token.encode())
    # The application reads them back as they were (the outbox page and delivery keep working).
    session.expire_all()
    mail, sms = session.scalars(select(Notification).order_by(Notification.id))
    assert (mail.recipient, sms.recipient, sms.body) == (
        "ivanov@example.ru",
        NUMBER,
        "Код для входа в личный кабинет: 295306.",
    )


def test_rotate_keys_re_encrypts_the_outbox(session, config, make_app, database_url):
    _queue_both(session, config.PII_KEY)
    rotated = make_app(make_config(database_url, PII_ENCRYPTION_KEYS=(NEW, OLD)))
    result = rotated.test_cli_runner().invoke(args=["rotate-keys"])
    assert result.exit_code == 0, result.output
    for row in _raw(session):
        for token in row:
            Fernet(NEW).decrypt(token.encode())
            with pytest.raises(InvalidToken):
                Fernet(OLD).decrypt(token.encode())


def test_migration_0008_encrypts_existing_rows_and_downgrade_restores_them(app, config):
    with app.app_context():
        downgrade(revision="0008-1")  # the schema just before this migration, wherever it is chained
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO notifications (created_at, channel, recipient, subject, body, status)"
                    " VALUES ('2026-01-01 00:00:00', 'sms', :to, 'SMS', :body, 'queued')"
                ),
                {"to": NUMBER, "body": "Код: 295306"},
            )
        upgrade()
        with db.engine.connect() as connection:
            stored = connection.execute(text("SELECT recipient, subject, body FROM notifications")).one()
        assert NUMBER not in repr(stored) and "295306" not in repr(stored)
        assert [Fernet(OLD).decrypt(v.encode()).decode() for v in stored] == [NUMBER, "SMS", "Код: 295306"]
        downgrade(revision="0008-1")
        with db.engine.connect() as connection:
            restored = connection.execute(text("SELECT recipient, subject, body FROM notifications")).one()
        assert tuple(restored) == (NUMBER, "SMS", "Код: 295306")
        upgrade()
        db.session.remove()
