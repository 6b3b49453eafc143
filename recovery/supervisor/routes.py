"""Supervisor pages: queues, locked numbers and unlocks, audit search and CSV export, the outbox."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, Text, cast, func, or_, select
from sqlalchemy.orm import Session

from recovery import audit, clock
from recovery.auth import staff_required
from recovery.claims import lockout
from recovery.claims.actors import Actor
from recovery.claims.boundary import policy
from recovery.extensions import db
from recovery.formatting import format_phone
from recovery.models import AuditEvent, Channel, StaffRole, Ticket, TicketStatus, TicketType
from recovery.phones import search_term
from recovery.regions import is_region
from recovery.supervisor import bp
from recovery.supervisor.forms import AuditSearchForm, UnlockForm
from recovery.supervisor.labels import action_label, channel_label, detail_items, subject_label

PAGE_SIZE = 50
#: What the audit page names codes with (``recovery.supervisor.labels``).
AUDIT_LABELS = {
    "action_label": action_label,
    "channel_label": channel_label,
    "detail_items": detail_items,
    "subject_label": subject_label,
}
#: Audit events read per query while streaming a CSV export.
EXPORT_BATCH = 1000
#: Cells starting with these would run as formulas in a spreadsheet (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@bp.before_request
@staff_required(StaffRole.SUPERVISOR)
def _supervisors_only() -> None:
    """Deny by default: every page here needs a supervisor."""


def _actor() -> Actor:
    return Actor.staff(current_user, Channel.WEB, request.remote_addr)


#: The last page number a supervisor page accepts: beyond it the offset would overflow the
#: database's integer (a 500), and no queue or log is read that far by hand.
MAX_PAGE = 100_000


def _page() -> int:
    """The ``page`` argument: 1 by default; anything but a whole number 1–``MAX_PAGE`` is 400."""
    raw = request.args.get("page")
    if raw is None or raw == "":
        return 1
    # Length first: int() of thousands of digits is itself refused (ValueError), not just slow.
    well_formed = len(raw) <= len(str(MAX_PAGE)) and raw.isascii() and raw.isdigit()
    if not well_formed or not 1 <= int(raw) <= MAX_PAGE:
        abort(400)
    return int(raw)


@bp.get("/")
def dashboard() -> str:
    """Open reissue tickets per region, and how many numbers are locked."""
    queues = db.session.execute(
        select(Ticket.region, func.count(), func.min(Ticket.created_at))
        .where(Ticket.type == TicketType.REISSUE, Ticket.status == TicketStatus.OPEN)
        .group_by(Ticket.region)
        .order_by(func.count().desc())
    ).all()
    locked = lockout.locked_numbers(db.session, clock.now(), policy())
    return render_template("supervisor/dashboard.html", queues=queues, locked_count=len(locked))


@bp.get("/queues/<region>")
def region_queue(region: str) -> str:
    """One region's open reissue tickets (read-only)."""
    region = region.upper()
    if not is_region(region):
        return render_template("supervisor/queue.html", region=region, tickets=[]), 404
    open_tickets = db.session.scalars(
        select(Ticket)
        .where(Ticket.region == region, Ticket.type == TicketType.REISSUE, Ticket.status == TicketStatus.OPEN)
        .order_by(Ticket.created_at)
    ).all()
    return render_template("supervisor/queue.html", region=region, tickets=open_tickets)


@bp.get("/locks")
def locks() -> str:
    """Numbers whose remote verification is locked, with an unlock form."""
    locked = lockout.locked_numbers(db.session, clock.now(), policy())
    return render_template("supervisor/locks.html", locked=locked, form=UnlockForm())


@bp.post("/locks/unlock")
def unlock() -> Response | tuple[str, int]:
    """Unlock a number with a reason (PRG)."""
    form = UnlockForm()
    if not form.validate_on_submit():
        locked = lockout.locked_numbers(db.session, clock.now(), policy())
        return render_template("supervisor/locks.html", locked=locked, form=form), 400
    try:
        lockout.unlock(
            db.session, form.msisdn.data, form.reason.data, actor=_actor(), now=clock.now(), policy=policy()
        )
    except lockout.NotLocked:
        db.session.rollback()
        flash(
            _(
                "Checks of %(number)s are not paused: nothing to resume.",
                number=format_phone(form.msisdn.data),
            ),
            "info",
        )
        return redirect(url_for("supervisor.locks"))
    db.session.commit()
    flash(
        _(
            "Checks of %(number)s are resumed; its failed attempts no longer count.",
            number=format_phone(form.msisdn.data),
        ),
        "success",
    )
    return redirect(url_for("supervisor.locks"))


def _audit_query(form: AuditSearchForm) -> Select:
    query = select(AuditEvent)
    if form.text.data:
        term = search_term(form.text.data)
        pattern = "%" + term.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
        # Details are searched as text too (a ticket's events name its number there);
        # the date filters bound the scan.
        query = query.where(
            or_(
                AuditEvent.subject.like(pattern, escape="\\"),
                AuditEvent.actor.like(pattern, escape="\\"),
                cast(AuditEvent.details, Text).like(pattern, escape="\\"),
            )
        )
    if form.action.data:
        query = query.where(AuditEvent.action.startswith(form.action.data.strip(), autoescape=True))
    if form.channel.data:
        query = query.where(AuditEvent.channel == form.channel.data)
    if form.date_from.data:
        query = query.where(AuditEvent.at >= datetime.combine(form.date_from.data, time.min, UTC))
    if form.date_to.data:
        query = query.where(
            AuditEvent.at < datetime.combine(form.date_to.data + timedelta(days=1), time.min, UTC)
        )
    return query.order_by(AuditEvent.id.desc())


@bp.get("/audit")
def audit_log() -> tuple[str, int] | str:
    """Search the audit log; newest first, a page at a time."""
    form = AuditSearchForm(request.args)
    if request.args and not form.validate():
        return (
            render_template(
                "supervisor/audit.html", form=form, events=[], page=1, has_next=False, **AUDIT_LABELS
            ),
            400,
        )
    page = _page()
    rows = db.session.scalars(_audit_query(form).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    return render_template(
        "supervisor/audit.html",
        form=form,
        events=rows[:PAGE_SIZE],
        page=page,
        has_next=len(rows) > PAGE_SIZE,
        **AUDIT_LABELS,
    )


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _batches(reader: Session, query: Select) -> Iterator[list[AuditEvent]]:
    """Keyset pages by id (newest first), so no cursor stays open between chunks."""
    last_id = None
    while True:
        page = query if last_id is None else query.where(AuditEvent.id < last_id)
        rows = reader.scalars(page.limit(EXPORT_BATCH)).all()
        if rows:
            yield rows
        if len(rows) < EXPORT_BATCH:
            return
        last_id = rows[-1].id
        reader.expunge_all()


def _csv_row(event: AuditEvent) -> list[object]:
    return [
        event.id,
        event.at.isoformat(),
        _cell(event.actor),
        _cell(event.channel),
        _cell(event.action),
        _cell(event.subject),
        _cell(event.ip),
        _cell(json.dumps(event.details, ensure_ascii=False, sort_keys=True)),
    ]


@bp.get("/audit.csv")
def audit_export() -> Response | tuple[str, int]:
    """The audit events matching the search, as CSV (the export is audited too)."""
    form = AuditSearchForm(request.args)
    if not form.validate():
        return (
            render_template(
                "supervisor/audit.html", form=form, events=[], page=1, has_next=False, **AUDIT_LABELS
            ),
            400,
        )
    actor = _actor()
    audit.record(
        db.session,
        actor=actor.label,
        action="audit.exported",
        channel=actor.channel,
        ip=actor.ip,
        filters={key: value for key, value in request.args.items() if key in form.data and value},
    )
    db.session.commit()
    query = _audit_query(form)
    # The rows are read while the response streams, after this request's
    # context is gone: with a session of their own, closed with the stream.
    engine = db.engine

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["id", "at", "actor", "channel", "action", "subject", "ip", "details"])
        with Session(engine) as reader:
            for batch in _batches(reader, query):
                for event in batch:
                    writer.writerow(_csv_row(event))
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    filename = f"audit-{clock.now():%Y%m%d-%H%M%S}.csv"
    return Response(
        rows(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
