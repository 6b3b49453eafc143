"""Test configs and fresh databases, migrated once per run and copied per test.

Integration tests run on SQLite by default and on PostgreSQL when
``TEST_DATABASE_URL`` names one. The template is built by the real migrations
(``alembic upgrade head``); each test gets a copy of it: a file copy on SQLite,
``CREATE DATABASE … TEMPLATE`` on PostgreSQL. On PostgreSQL the copy for the next
test is made, and the last test's dropped, in a background thread while a test
runs: the server's work no longer stands in the test's way, and every test still
gets a database no other test has touched.
"""

from __future__ import annotations

import os
import secrets
import shutil
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from config import TestingConfig

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
        """A new database (a copy of ``template`` when given); returns its name."""
        name = f"recovery_test_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            clause = f' TEMPLATE "{template}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        return name

    def drop(self, name: str) -> None:
        """Drop ``name``, ending any connection still open on it."""
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def url_for(self, name: str) -> str:
        """The URL of database ``name`` on this server."""
        return self.url.set(database=name).render_as_string(hide_password=False)


def migrate(database_url: str) -> None:
    """Run the real migrations (``alembic upgrade head``) on ``database_url``."""
    from flask_migrate import upgrade

    from recovery import create_app
    from recovery.extensions import db

    app = create_app(make_config(database_url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@contextmanager
def migrated_template(directory: Path) -> Iterator[str]:
    """A database migrated to head: a file in ``directory`` (SQLite) or a name (PostgreSQL)."""
    if ON_POSTGRES:
        server = PostgresDatabases(POSTGRES_URL)
        name = server.create()
        try:
            migrate(server.url_for(name))
            yield name
        finally:
            server.drop(name)
            server.admin.dispose()
    else:
        path = directory / "template.sqlite3"
        migrate(f"sqlite:///{path}")
        yield str(path)


class FreshDatabases:
    """Copies of the template, one per use: files on SQLite, databases on PostgreSQL.

    On PostgreSQL one background thread creates the next copy ahead of time and
    drops used ones, in order; ``close`` waits for it and drops the spare copy.
    """

    def __init__(self, template: str) -> None:
        self.template = template
        self._server: PostgresDatabases | None = None
        if ON_POSTGRES:
            self._server = PostgresDatabases(POSTGRES_URL)
            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-databases")
            self._next: Future[str] = self._worker.submit(self._server.create, template)

    @contextmanager
    def copy(self, directory: Path, name: str = "test") -> Iterator[str]:
        """The URL of a fresh copy of the template, dropped when the block ends."""
        if self._server is None:
            path = directory / f"{name}.sqlite3"
            shutil.copyfile(self.template, path)
            yield f"sqlite:///{path}"
            return
        database = self._next.result()
        self._next = self._worker.submit(self._server.create, self.template)
        try:
            yield self._server.url_for(database)
        finally:
            self._worker.submit(self._server.drop, database)

    def close(self) -> None:
        """Drop what is left and stop the background thread."""
        if self._server is None:
            return
        spare = self._next.result()
        self._worker.submit(self._server.drop, spare)
        self._worker.shutdown(wait=True)
        self._server.admin.dispose()
