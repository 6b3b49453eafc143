"""``/readyz``: 200 when every dependency is healthy, else 503 naming the parts that are not."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from recovery.models import Notification, NotificationStatus, ProvisioningOperation
from recovery.network import provisioning
from tests.conftest import make_config

LOGGING_BACKEND = "recovery.claims.notifications:LoggingBackend"
REAL_REDIS = "redis://127.0.0.1:6379"
NO_REDIS = "redis://127.0.0.1:1"  # nothing listens on port 1


def _queue(session, age: timedelta) -> None:
    session.add(
        Notification(
            channel="email",
            kind="sim_blocked",
            recipient="ivanov@example.ru",
            subject="s",
            body="b",
            status=NotificationStatus.QUEUED,
            created_at=datetime.now(UTC) - age,
        )
    )
    session.commit()


def test_ready_with_the_database_and_no_redis_configured(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    # notifications: the default backend keeps them
    checks = {"database": "ok", "provisioning_outbox": "ok", "subscription_events_outbox": "ok"}
    assert response.get_json() == {"status": "ok", "checks": checks, "unhealthy": []}


def test_liveness_stays_as_it_was(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_not_ready_without_the_database(tmp_path, build_app):
    app = build_app(make_config(f"sqlite:///{tmp_path}/missing-dir/nothing/x.sqlite3"))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and body["unhealthy"] == ["database"]
    assert body["checks"]["database"].startswith("unavailable")


@pytest.mark.parametrize(
    ("uri", "status", "state"), [(REAL_REDIS, 200, "ok"), (NO_REDIS, 503, "unavailable")]
)
def test_redis_is_checked_where_configured(database_url, uri, status, state, build_app):
    app = build_app(make_config(database_url, RATELIMIT_STORAGE_URI=uri, RATELIMIT_ENABLED=False))
    response = app.test_client().get("/readyz")
    assert response.status_code == status
    assert response.get_json()["checks"]["redis"].startswith(state)
    assert response.get_json()["unhealthy"] == ([] if status == 200 else ["redis"])


@pytest.mark.parametrize(
    ("backend", "age", "status"),
    [
        (LOGGING_BACKEND, timedelta(minutes=1), 200),  # delivered soon enough
        (LOGGING_BACKEND, timedelta(hours=2), 503),  # nobody drains it
        (None, timedelta(hours=2), 200),  # the default backend keeps messages for the outbox page
    ],
)
def test_a_stale_notification_backlog_makes_it_not_ready(app, session, backend, age, status):
    app.config["NOTIFICATION_BACKEND"] = backend
    _queue(session, age)
    response = app.test_client().get("/readyz")
    assert response.status_code == status, response.get_json()
    checks = response.get_json()["checks"]
    if backend is None:
        assert "notifications_outbox" not in checks
    elif status == 503:
        assert response.get_json()["unhealthy"] == ["notifications_outbox"]
        assert re.fullmatch(r"1 pending, oldest 72\d\d s \(limit 900 s\)", checks["notifications_outbox"])
    else:
        assert checks["notifications_outbox"] == "ok"


def test_a_network_change_waiting_for_the_hlr_makes_it_not_ready(app, client, session):
    app.config["PROVISIONING_MAX_AGE_SECONDS"] = 60
    now = datetime.now(UTC)
    # PS back on at the end of a cooling period is due tomorrow: not a backlog.
    provisioning.enqueue(
        session, ProvisioningOperation.DATA_ON, msisdn="+79161234567", now=now, due_at=now + timedelta(days=1)
    )
    session.commit()
    assert client.get("/readyz").get_json()["checks"]["provisioning_outbox"] == "ok"
    provisioning.block(session, "+79161234567", None, now - timedelta(minutes=5))
    session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["unhealthy"] == ["provisioning_outbox"]
    assert response.get_json()["checks"]["provisioning_outbox"].startswith("1 pending")


def test_a_partner_event_the_worker_never_tried_makes_it_not_ready(app, client, session):
    """An event never tried is our worker stuck; one waiting for its retry is the partner's sink down."""
    from recovery.camara import events
    from recovery.models import ApiClient, SimSwapSubscription
    from tests.helpers.people import make_api_client

    make_api_client(session, name="bank")
    client_id = session.scalars(select(ApiClient.id)).one()
    app.config["OUTBOX_MAX_AGE_SECONDS"] = 60
    long_ago = datetime.now(UTC) - timedelta(minutes=5)
    subscription = SimSwapSubscription(
        id="3f1c8a52-7d1e-4c7b-9a0e-2b5f0c9d1e7a",
        client_id=client_id,
        msisdn="+79161234567",
        sink="https://s.example/",
    )
    session.add(subscription)
    session.flush()
    events.sim_changed(session, "+79161234567", long_ago)
    session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503 and response.get_json()["unhealthy"] == ["subscription_events_outbox"]
    session.execute(text("UPDATE subscription_events SET attempts = 1"))
    session.commit()
    assert client.get("/readyz").get_json()["checks"]["subscription_events_outbox"] == "ok"
