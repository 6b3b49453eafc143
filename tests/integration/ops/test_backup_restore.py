"""The backup of docs/OPERATIONS.md, restored: ``pg_dump`` of a working database into a fresh one.

The restored database serves the same answers: the claim and its ticket read
back through the API with the same token, names decrypt with the same keys,
the migrations are at head, and the audit log still refuses changes.
"""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import create_engine, make_url, select, text
from sqlalchemy.exc import DBAPIError

from recovery import create_app
from recovery.extensions import db
from recovery.models import Subscriber
from tests.conftest import ON_POSTGRES, POSTGRES_URL, PostgresDatabases, make_config
from tests.integration.security.cast import IVANOV, api_claim, make_cast

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="pg_dump and pg_restore: PostgreSQL only")


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as libpq's tools take it (no ``+psycopg``)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def fresh_database():
    """An empty database (not from the migrated template), dropped afterwards."""
    server = PostgresDatabases(POSTGRES_URL)
    with server.admin.connect() as conn:
        name = f"recovery_restore_{conn.execute(text('SELECT md5(random()::text)')).scalar_one()[:12]}"
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.url_for(name)
    finally:
        server.drop(name)
        server.admin.dispose()


def test_a_dump_restores_into_a_fresh_database(app, session, config, database_url, fresh_database, tmp_path):
    cast = make_cast(app, session, config.PII_KEY)
    created = (
        app.test_client().post("/api/v1/claims", json=api_claim(), headers=cast.bearer("agent")).get_json()
    )
    assert created["outcome"] == "reissue"

    dump = tmp_path / "recovery.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", libpq_url(database_url)], check=True
    )
    subprocess.run(
        [
            "pg_restore",
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            libpq_url(fresh_database),
            str(dump),
        ],
        check=True,
    )

    restored = create_app(
        make_config(fresh_database, PII_KEY=config.PII_KEY, PII_ENCRYPTION_KEYS=config.PII_ENCRYPTION_KEYS)
    )
    try:
        client = restored.test_client()
        claim = client.get(f"/api/v1/claims/{created['claimId']}", headers=cast.bearer("agent"))
        assert claim.status_code == 200 and claim.get_json()["outcome"] == "reissue"
        ticket = client.get(f"/api/v1/tickets/{created['ticket']['id']}", headers=cast.bearer("agent"))
        assert ticket.status_code == 200 and ticket.get_json()["status"] == "open"
        with restored.app_context():
            subscriber = db.session.scalars(select(Subscriber)).one()
            assert subscriber.full_name == IVANOV["full_name"]  # decrypted with the same keys
            heads = db.session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            original = create_engine(database_url)
            with original.connect() as conn:
                assert heads == conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            original.dispose()
            with pytest.raises(DBAPIError):  # the audit log's triggers came along
                db.session.execute(text("UPDATE audit_events SET actor = 'someone else'"))
            db.session.rollback()
        assert client.get("/readyz").status_code == 200
    finally:
        with restored.app_context():
            db.engine.dispose()
