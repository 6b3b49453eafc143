"""Migrations: ``upgrade head`` builds exactly the models' schema, and back."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError

from recovery import audit
from recovery.extensions import db
from recovery.models import Contract, ContractType, Tariff
from tests.helpers.camara import reissue
from tests.helpers.people import make_subscriber


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


def test_0016_backfills_one_open_contract_per_subscriber_and_the_contract_types(app, session, config):
    first_sim = datetime(2023, 5, 1, 8, tzinfo=UTC)
    reissued = make_subscriber(session, config.PII_KEY, activated_at=first_sim)
    reissue(session, reissued, datetime(2025, 2, 1, tzinfo=UTC))
    plain = make_subscriber(session, config.PII_KEY, msisdn="+79160000002")
    no_sim = make_subscriber(session, config.PII_KEY, msisdn="+79160000003")
    no_sim.created_at = datetime(2022, 7, 1, 12, tzinfo=UTC)
    no_sim.sims.clear()
    session.commit()
    ids = (reissued.id, plain.id, no_sim.id)
    session.close()
    with app.app_context():
        downgrade(revision="0015")
        with db.engine.connect() as connection:
            inspector = inspect(connection)
            assert "contracts" not in inspector.get_table_names()
            assert "contract_type" not in {c["name"] for c in inspector.get_columns("tariffs")}
        upgrade(revision="0016")
        backfilled = db.session.scalars(select(Contract).order_by(Contract.subscriber_id)).all()
        assert [(c.subscriber_id, c.msisdn, c.started_at, c.ended_at) for c in backfilled] == [
            (ids[0], "+79161234567", first_sim, None),
            (ids[1], "+79160000002", datetime(2024, 1, 1, tzinfo=UTC), None),
            (ids[2], "+79160000003", datetime(2022, 7, 1, 12, tzinfo=UTC), None),
        ]
        types = dict(db.session.execute(select(Tariff.code, Tariff.contract_type)).all())
        assert types == {
            "basic": ContractType.PAYG,
            "smart": ContractType.PAYM,
            "smart-plus": ContractType.PAYM,
            "unlimited": ContractType.PAYM,
        }
        db.session.remove()
        upgrade()
        assert _differences() == []
