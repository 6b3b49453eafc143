"""The test chain: config → app (fresh database per test, dropped after) → client.

Integration tests run on SQLite by default and on PostgreSQL when
``TEST_DATABASE_URL`` names one. Each test gets its own database, copied from
a template built once per run by the real migrations (``alembic upgrade head``).
"""

from __future__ import annotations

import os
import secrets
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2.profiles import CHEAPEST
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session

from config import TestingConfig
from recovery import create_app
from recovery.extensions import db
from recovery.security import passwords

# argon2's cheapest parameters in tests: a production hash costs about half a second of CPU,
# and the suite hashes and verifies thousands of passwords. The rules under test (which
# password is accepted, that an unknown login verifies a hash too) do not depend on the cost.
passwords.use_parameters(CHEAPEST)

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = POSTGRES_URL.startswith("postgresql")


def make_config(database_url: str, **overrides: object) -> TestingConfig:
    """A testing config with random secrets, as production would have."""
    config = TestingConfig(
        {
            "SECRET_KEY": secrets.token_urlsafe(32),
            "PII_KEY": secrets.token_urlsafe(32),
            "DATABASE_URL": database_url,
        }
    )
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


class PostgresDatabases:
    """Creates and drops databases on the server named by ``TEST_DATABASE_URL``."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")

    def create(self, template: str | None = None) -> str:
        name = f"recovery_test_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            clause = f' TEMPLATE "{template}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        return name

    def drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def url_for(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)


def _migrate(database_url: str) -> None:
    from flask_migrate import upgrade

    app = create_app(make_config(database_url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated to head once per run: a file (SQLite) or a name (PostgreSQL)."""
    if ON_POSTGRES:
        server = PostgresDatabases(POSTGRES_URL)
        name = server.create()
        try:
            _migrate(server.url_for(name))
            yield name
        finally:
            server.drop(name)
            server.admin.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        _migrate(f"sqlite:///{path}")
        yield str(path)


@pytest.fixture
def database_url(database_template: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database for one test, dropped afterwards."""
    if ON_POSTGRES:
        server = PostgresDatabases(POSTGRES_URL)
        name = server.create(template=database_template)
        try:
            yield server.url_for(name)
        finally:
            server.drop(name)
            server.admin.dispose()
    else:
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(database_template, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def config(database_url: str) -> TestingConfig:
    """The configuration of the app under test; tests may adjust it before ``app``."""
    return make_config(database_url)


@pytest.fixture
def app(config: TestingConfig) -> Iterator[Flask]:
    """The application. No app context stays pushed: each request gets its own,
    as in production, so nothing cached on ``g`` leaks from one request to the next."""
    application = create_app(config)
    try:
        yield application
    finally:
        with application.app_context():
            db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for ``app``."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner for ``app``'s commands."""
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session of the test's own on the app's database, to arrange data and check results."""
    with app.app_context():
        engine = db.engine
    test_session = Session(engine, expire_on_commit=False)
    try:
        yield test_session
    finally:
        test_session.close()


@pytest.fixture
def now() -> datetime:
    """A fixed 'now' for tests that place events in time."""
    return datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
