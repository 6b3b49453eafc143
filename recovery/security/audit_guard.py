"""The audit log is append-only in the application too, not only in the database.

The migration installs triggers that refuse UPDATE, DELETE and TRUNCATE on
``audit_events``. These session hooks refuse the same earlier, with a clear
exception, for every SQLAlchemy session in the process: a changed or deleted
``AuditEvent`` at flush time, and ``update(AuditEvent)`` / ``delete(AuditEvent)``
statements. An insider who could reach an ORM session (a maintenance script)
still cannot rewrite history through it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from recovery.models import AuditEvent


class AuditLogIsAppendOnly(RuntimeError):
    """Something tried to change or delete a written audit event."""


def _refuse_changed_events(session: Session, flush_context: UOWTransaction, instances: Any) -> None:
    for obj in session.deleted:
        if isinstance(obj, AuditEvent):
            raise AuditLogIsAppendOnly("audit events cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, AuditEvent) and session.is_modified(obj, include_collections=False):
            raise AuditLogIsAppendOnly("audit events cannot be changed")


def _refuse_bulk_statements(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    # update(AuditEvent) targets an annotated copy of the table: compare by name.
    target = getattr(state.statement, "table", None)
    if getattr(target, "name", None) == AuditEvent.__tablename__:
        raise AuditLogIsAppendOnly("audit events cannot be changed or deleted")


def install_audit_guard() -> None:
    """Attach the hooks to every ``Session`` (idempotent)."""
    if not event.contains(Session, "before_flush", _refuse_changed_events):
        event.listen(Session, "before_flush", _refuse_changed_events)
    if not event.contains(Session, "do_orm_execute", _refuse_bulk_statements):
        event.listen(Session, "do_orm_execute", _refuse_bulk_statements)
