"""Migration 0003 encrypts the subscribers already in the database, and its downgrade decrypts them."""

from __future__ import annotations

from cryptography.fernet import Fernet
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from recovery.extensions import db
from recovery.models import Subscriber

CLEAR = ("Иванов", "Иван", None, "г. Москва, ул. Ленина, д. 5, кв. 12", "ivanov@example.ru")
COLUMNS = "last_name, first_name, patronymic, registered_address, email"


def _raw(connection) -> tuple:
    return tuple(connection.execute(text(f"SELECT {COLUMNS} FROM subscribers")).one())


def test_upgrade_encrypts_existing_rows_and_downgrade_restores_them(app, config):
    key = Fernet(config.PII_ENCRYPTION_KEYS[0])
    with app.app_context():
        downgrade(revision="0003-1")  # the schema just before this migration, wherever it is chained
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO subscribers (msisdn, last_name, first_name, patronymic, passport_hmac,"
                    " registered_address, home_region, email, tariff, balance_kopecks,"
                    " reissue_in_person_only, created_at, updated_at)"
                    " VALUES ('+79161234567', :last, :first, NULL, 'h', :address, 'RU-MOW', :email,"
                    " 'smart', 0, false, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                ),
                {"last": CLEAR[0], "first": CLEAR[1], "address": CLEAR[3], "email": CLEAR[4]},
            )
        upgrade()
        with db.engine.connect() as connection:
            stored = _raw(connection)
        assert stored[2] is None
        decrypted = tuple(None if v is None else key.decrypt(v.encode()).decode() for v in stored)
        assert decrypted == CLEAR
        subscriber = db.session.scalars(select(Subscriber)).one()
        assert (subscriber.full_name, subscriber.email) == ("Иванов Иван", "ivanov@example.ru")
        db.session.rollback()

        # Downgrade decrypts back to clear text.
        downgrade(revision="0003-1")
        with db.engine.connect() as connection:
            assert _raw(connection) == CLEAR
        db.session.remove()


def test_upgrade_leaves_rows_already_written_encrypted_alone(app, config):
    # New code may write a row before the migration runs: it must not be encrypted twice.
    key = Fernet(config.PII_ENCRYPTION_KEYS[0])
    with app.app_context():
        downgrade(revision="0003-1")
        # Written as the new code writes it (tokens under the current key), in the schema of that
        # moment: raw SQL, since today's model has columns that later migrations add.
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO subscribers (msisdn, last_name, first_name, patronymic, passport_hmac,"
                    " registered_address, home_region, email, tariff, balance_kopecks,"
                    " reissue_in_person_only, created_at, updated_at)"
                    " VALUES ('+79031112233', :last, :first, :patronymic, 'h', :address, 'RU-SPE', NULL,"
                    " 'smart', 0, false, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                ),
                {
                    name: key.encrypt(value.encode()).decode()
                    for name, value in {
                        "last": "Петрова",
                        "first": "Анна",
                        "patronymic": "Сергеевна",
                        "address": "г. Санкт-Петербург, Невский пр-т, д. 28, кв. 7",
                    }.items()
                },
            )
        upgrade()
        db.session.expire_all()
        subscriber = db.session.scalars(select(Subscriber)).one()
        assert subscriber.full_name == "Петрова Анна Сергеевна"
        db.session.remove()
