"""The test chain: config → app (fresh database per test, dropped after) → client.

Integration tests run on SQLite by default and on PostgreSQL when
``TEST_DATABASE_URL`` names one. Each test gets its own database, copied from
a template built once per run by the real migrations (``alembic upgrade head``);
see ``tests/helpers/databases.py``. Helpers that tests import live in
``tests/helpers``; this file defines fixtures only.

``@pytest.mark.probes`` on a test or module adds the test-only probe routes
(``tests/helpers/probes.py``) to ``app`` and to every app ``make_app`` builds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import settings
from sqlalchemy.orm import Session

from config import TestingConfig
from recovery import create_app
from recovery.extensions import db
from recovery.replica import EXTENSION as REPLICA
from tests.helpers.databases import (  # noqa: F401 — old import path of tests in flight
    ON_POSTGRES,
    POSTGRES_URL,
    FreshDatabases,
    PostgresDatabases,
    make_config,
    migrated_template,
)
from tests.helpers.probes import add_probes
from tests.helpers.speed import make_tests_cheaper

# Cheap password hashes, templates compiled once per run, commits without fsync: see the module.
make_tests_cheaper()

# No property test fails for being slow: on a loaded machine (CI beside other work) an example
# may take longer than Hypothesis's 200 ms default deadline without anything being wrong.
settings.register_profile("recovery", deadline=None)
settings.load_profile("recovery")


def _close_connections(application: Flask) -> None:
    """Close ``application``'s pooled connections: to the database and to a read replica."""
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    replica = application.extensions.get(REPLICA)
    if replica is not None:
        replica.engine.dispose()


def _wants_probes(request: pytest.FixtureRequest) -> bool:
    return request.node.get_closest_marker("probes") is not None


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated to head once per run: a file (SQLite) or a name (PostgreSQL)."""
    with migrated_template(tmp_path_factory.mktemp("template")) as template:
        yield template


@pytest.fixture(scope="session")
def fresh_databases(database_template: str) -> Iterator[FreshDatabases]:
    """Copies of the template, one per test (made ahead of time on PostgreSQL)."""
    databases = FreshDatabases(database_template)
    try:
        yield databases
    finally:
        databases.close()


@pytest.fixture
def database_url(fresh_databases: FreshDatabases, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database for one test, dropped afterwards."""
    with fresh_databases.copy(tmp_path) as url:
        yield url


@pytest.fixture
def second_database_url(fresh_databases: FreshDatabases, tmp_path: Path) -> Iterator[str]:
    """Another fresh, migrated database, for a second app in the same test."""
    with fresh_databases.copy(tmp_path, name="second") as url:
        yield url


@pytest.fixture
def config(database_url: str) -> TestingConfig:
    """The configuration of the app under test; tests may adjust it before ``app``."""
    return make_config(database_url)


@pytest.fixture
def app(config: TestingConfig, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The application. No app context stays pushed: each request gets its own,
    as in production, so nothing cached on ``g`` leaks from one request to the next."""
    application = create_app(config)
    if _wants_probes(request):
        add_probes(application)
    try:
        yield application
    finally:
        _close_connections(application)


@pytest.fixture
def make_app(request: pytest.FixtureRequest) -> Iterator[Callable[[TestingConfig | str], Flask]]:
    """Build more apps in one test (from a config or a database URL); their connections close afterwards."""
    apps: list[Flask] = []

    def build(config: TestingConfig | str) -> Flask:
        application = create_app(make_config(config) if isinstance(config, str) else config)
        if _wants_probes(request):
            add_probes(application)
        apps.append(application)
        return application

    yield build
    for application in apps:
        _close_connections(application)


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
