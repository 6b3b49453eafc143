"""The audit log is append-only in the application as well as in the database."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

from recovery import audit
from recovery.models import AuditEvent
from recovery.security.audit_guard import AuditLogIsAppendOnly


@pytest.fixture
def event(session) -> AuditEvent:
    written = audit.record(session, actor="staff:1", action="claim.decided", channel="agent", subject="c-1")
    session.commit()
    return written


def _actors(session) -> list[str]:
    session.rollback()
    session.expire_all()
    return session.scalars(select(AuditEvent.actor)).all()


def test_a_changed_event_is_refused_at_flush(session, event):
    event.actor = "someone else"
    with pytest.raises(AuditLogIsAppendOnly, match="cannot be changed"):
        session.flush()
    assert _actors(session) == ["staff:1"]


def test_a_deleted_event_is_refused_at_flush(session, event):
    session.delete(event)
    with pytest.raises(AuditLogIsAppendOnly, match="cannot be deleted"):
        session.flush()
    assert _actors(session) == ["staff:1"]


@pytest.mark.parametrize(
    "statement",
    [
        update(AuditEvent).values(actor="someone else"),
        delete(AuditEvent),
        update(AuditEvent.__table__).values(actor="someone else"),
        delete(AuditEvent.__table__).where(AuditEvent.__table__.c.actor == "staff:1"),
    ],
    ids=["orm-update", "orm-delete", "core-update", "core-delete"],
)
def test_bulk_statements_on_the_audit_log_are_refused(session, event, statement):
    with pytest.raises(AuditLogIsAppendOnly):
        session.execute(statement)
    assert _actors(session) == ["staff:1"]


def test_new_events_and_unchanged_ones_flush_normally(session, event):
    event.actor = event.actor  # touched, not changed
    audit.record(session, actor="cli", action="seed.demo", channel="cli")
    session.commit()
    assert sorted(_actors(session)) == ["cli", "staff:1"]
