"""The security tests' app carries probe routes that use the helpers as features will."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from config import TestingConfig
from recovery import create_app
from recovery.extensions import db
from tests.conftest import ON_POSTGRES, POSTGRES_URL, PostgresDatabases
from tests.integration.security.probes import add_probes


@pytest.fixture
def app(app: Flask) -> Flask:
    """The app under test, with the probe routes."""
    return add_probes(app)


@pytest.fixture
def make_app() -> Iterator[Callable[[TestingConfig], Flask]]:
    """Build more apps (with the probes) in one test; their connections are closed afterwards."""
    apps: list[Flask] = []

    def build(config: TestingConfig) -> Flask:
        apps.append(add_probes(create_app(config)))
        return apps[-1]

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def csrf_token(client) -> str:
    """A CSRF token from the front page's language form."""
    page = client.get("/").get_data(as_text=True)
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


@pytest.fixture
def second_database_url(database_template: str, tmp_path: Path) -> Iterator[str]:
    """Another fresh, migrated database, for a second app in the same test."""
    if ON_POSTGRES:
        server = PostgresDatabases(POSTGRES_URL)
        name = server.create(template=database_template)
        try:
            yield server.url_for(name)
        finally:
            server.drop(name)
            server.admin.dispose()
    else:
        path = tmp_path / "second.sqlite3"
        shutil.copyfile(database_template, path)
        yield f"sqlite:///{path}"
