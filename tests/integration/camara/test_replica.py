"""Partner look-ups from a real streaming replica (DATABASE_REPLICA_URL), and the fall-back to the primary.

The replica is a second PostgreSQL cluster on this machine, made by
``pg_basebackup -R`` from the test server (``tests/helpers/replica.py``). To
see which database answered, the replica's replay is paused and the number's
SIM changed on the primary: the replica still says "not swapped".
"""

from __future__ import annotations

import copy
import logging
import time

import pytest
from sqlalchemy import create_engine, func, make_url, select, text

from recovery.models import AuditEvent
from tests.helpers.camara import CamaraCaller, hours_ago, reissue
from tests.helpers.databases import ON_POSTGRES
from tests.helpers.replica import wait_until_replayed

pytestmark = pytest.mark.skipif(
    not ON_POSTGRES, reason="a streaming replica needs PostgreSQL (TEST_DATABASE_URL)"
)

CHECK = "/camara/sim-swap/v2/check"
NUMBER = "+79161234567"


def _replica_of(database_url: str, server_url: str) -> str:
    """The test's database on the replica server."""
    database = make_url(database_url).database
    return make_url(server_url).set(database=database).render_as_string(hide_password=False)


def _app_reading(make_app, config, replica_url: str, **settings):
    replica_config = copy.copy(config)
    replica_config.DATABASE_REPLICA_URL = replica_url
    for name, value in settings.items():
        setattr(replica_config, name, value)
    return make_app(replica_config)


def _swapped(app, token: str) -> bool:
    response = CamaraCaller(app.test_client(), token).post(CHECK, {"phoneNumber": NUMBER, "maxAge": 24})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["swapped"]


def _audited_checks(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).where(AuditEvent.action == "camara.sim_swap.check"))


def test_the_check_reads_the_replica_and_audits_on_the_primary(
    make_app, config, session, subscriber, partner_token, replica_server
):
    replica_url = _replica_of(config.SQLALCHEMY_DATABASE_URI, replica_server)
    wait_until_replayed(config.SQLALCHEMY_DATABASE_URI, replica_url)
    patient = _app_reading(make_app, config, replica_url, REPLICA_MAX_LAG_SECONDS=3600)
    strict = _app_reading(make_app, config, replica_url, REPLICA_MAX_LAG_SECONDS=0.5, REPLICA_CHECK_SECONDS=0)
    standby = create_engine(replica_url, isolation_level="AUTOCOMMIT")
    try:
        with standby.connect() as connection:
            connection.execute(text("SELECT pg_wal_replay_pause()"))
        reissue(session, subscriber, hours_ago(1))  # on the primary; the replica does not replay it

        # The replica (allowed to trail by an hour) has not seen the swap; the audit row is on the primary.
        assert _swapped(patient, partner_token) is False
        assert _audited_checks(session) == 1
        # Trailing by more than half a second, the replica is set aside and the primary answers.
        time.sleep(1)
        assert _swapped(strict, partner_token) is True
        assert _audited_checks(session) == 2
    finally:
        with standby.connect() as connection:
            connection.execute(text("SELECT pg_wal_replay_resume()"))
        standby.dispose()
    wait_until_replayed(config.SQLALCHEMY_DATABASE_URI, replica_url)
    # Caught up, the replica answers again — with the swap.
    fresh = _app_reading(make_app, config, replica_url)
    assert _swapped(fresh, partner_token) is True


def test_a_replica_that_is_down_leaves_the_answer_to_the_primary(
    make_app, config, session, subscriber, partner_token, caplog
):
    reissue(session, subscriber, hours_ago(1))
    nowhere = make_url(config.SQLALCHEMY_DATABASE_URI).set(host="127.0.0.1", port=9)  # nothing listens
    app = _app_reading(make_app, config, nowhere.render_as_string(hide_password=False))
    with caplog.at_level(logging.WARNING, logger="recovery.replica"):
        assert _swapped(app, partner_token) is True
        assert _swapped(app, partner_token) is True  # set aside: not tried again at once
    assert [r.getMessage() for r in caplog.records if r.name == "recovery.replica"] == [
        "read replica set aside for 10.0 s: unreachable (OperationalError)"
    ]
    assert _audited_checks(session) == 2


def test_a_server_that_is_not_a_standby_is_not_read_as_one(
    make_app, config, session, subscriber, partner_token, caplog
):
    # A promoted replica (or the primary named by mistake) takes writes of its own: never read as a replica.
    app = _app_reading(make_app, config, config.SQLALCHEMY_DATABASE_URI)
    with caplog.at_level(logging.WARNING, logger="recovery.replica"):
        assert _swapped(app, partner_token) is False
    assert any("not a standby" in r.getMessage() for r in caplog.records if r.name == "recovery.replica")
