"""Migrations: ``upgrade head`` builds exactly the models' schema, and back."""

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from recovery import audit
from recovery.extensions import db


def _differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_head_equals_the_models(app):
    # The app fixture's database was built by ``upgrade`` (tests/conftest.py).
    with app.app_context():
        assert _differences() == []


MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def test_revisions_are_numbered_and_named_in_the_order_they_run():
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    chain = list(ScriptDirectory.from_config(config).walk_revisions())[::-1]
    revisions = [script.revision for script in chain]
    assert revisions == sorted(revisions), "revision ids must sort in the order the chain runs"
    assert [Path(script.path).name.split("_", 1)[0] for script in chain] == revisions
    assert [script.down_revision for script in chain] == [None, *revisions[:-1]]


def test_downgrade_to_base_and_upgrade_again(app):
    with app.app_context():
        downgrade(revision="base")
        with db.engine.connect() as connection:
            tables = set(inspect(connection).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()
        assert _differences() == []


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_events SET actor = 'someone else'", "DELETE FROM audit_events"]
)
def test_the_audit_log_refuses_changes(session, statement):
    audit.record(session, actor="cli", action="test.event", channel="cli")
    session.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        session.execute(text(statement))
    session.rollback()
    assert session.execute(text("SELECT actor FROM audit_events")).scalars().all() == ["cli"]
