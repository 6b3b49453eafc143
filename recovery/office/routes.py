"""Office staff hand over reissued SIMs in their own region.

An office sees only its region's tickets: another region's ticket is "not
found". The clerk checks the passport in person and types its series and
number, which is compared with the keyed digest on record (never shown);
then the new SIM's ICCID moves the number onto it (``claims.tickets.fulfil``).
"""

from __future__ import annotations

import uuid

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from recovery import audit
from recovery.auth import staff_required
from recovery.claims import tickets
from recovery.claims.actors import Actor
from recovery.extensions import db
from recovery.iccid import InvalidIccid
from recovery.models import Channel, StaffRole, Ticket, TicketStatus, TicketType
from recovery.models.types import utcnow
from recovery.office import bp
from recovery.office.forms import CancelForm, FulfilForm
from recovery.passports import passport_matches
from recovery.verification import Policy

RECENTLY_CLOSED = 20


@bp.before_request
@staff_required(StaffRole.OFFICE)
def _office_only() -> None:
    """Deny by default: every page here needs an office clerk with a region."""
    if not current_user.region:
        abort(403)


def _actor() -> Actor:
    return Actor.staff(current_user, Channel.OFFICE, request.remote_addr)


def _ticket_or_404(ticket_id: uuid.UUID) -> Ticket:
    try:
        return tickets.get_ticket(db.session, ticket_id, current_user.region)
    except (tickets.TicketNotFound, tickets.WrongRegion):
        abort(404)


@bp.get("/")
def queue() -> str:
    """Open reissue tickets of this office's region, oldest first, and the latest closed ones."""
    region = current_user.region
    open_tickets = db.session.scalars(
        select(Ticket)
        .where(Ticket.region == region, Ticket.type == TicketType.REISSUE, Ticket.status == TicketStatus.OPEN)
        .order_by(Ticket.created_at)
    ).all()
    closed = db.session.scalars(
        select(Ticket)
        .where(Ticket.region == region, Ticket.type == TicketType.REISSUE, Ticket.status != TicketStatus.OPEN)
        .order_by(Ticket.closed_at.desc())
        .limit(RECENTLY_CLOSED)
    ).all()
    return render_template("office/queue.html", open_tickets=open_tickets, closed=closed, region=region)


@bp.get("/tickets/<uuid:ticket_id>")
def ticket(ticket_id: uuid.UUID) -> str:
    """One ticket: hand over the new SIM or cancel."""
    found = _ticket_or_404(ticket_id)
    return render_template(
        "office/ticket.html", ticket=found, fulfil_form=FulfilForm(), cancel_form=CancelForm()
    )


@bp.post("/tickets/<uuid:ticket_id>/fulfil")
def fulfil(ticket_id: uuid.UUID) -> Response | tuple[str, int]:
    """Check the passport shown, then move the number onto the new SIM."""
    found = _ticket_or_404(ticket_id)
    form = FulfilForm()
    if not form.validate_on_submit():
        return _ticket_page(found, fulfil_form=form), 400
    if not passport_matches(
        form.passport.data, found.subscriber.passport_hmac, current_app.config["PII_KEY"]
    ):
        actor = _actor()
        audit.record(
            db.session,
            actor=actor.label,
            action="ticket.passport_mismatch",
            channel=actor.channel,
            subject=str(found.id),
            ip=actor.ip,
        )
        db.session.commit()
        form.passport.errors = [
            _("This passport does not match the subscriber's record. Do not hand over the SIM.")
        ]
        return _ticket_page(found, fulfil_form=form), 400
    policy = Policy.from_config(current_app.config)
    try:
        tickets.fulfil(
            db.session,
            found.id,
            form.iccid.data,
            region=current_user.region,
            actor=_actor(),
            now=utcnow(),
            cooling_hours=policy.reissue_cooling_hours,
        )
        db.session.commit()
    except tickets.TicketNotOpen:
        db.session.rollback()
        flash(_already_closed(), "error")
        return redirect(url_for("office.ticket", ticket_id=found.id))
    except (tickets.IccidInUse, InvalidIccid):
        db.session.rollback()
        form.iccid.errors = [_("This SIM card is already registered to a number: take another one.")]
        return _ticket_page(db.session.get(Ticket, ticket_id), fulfil_form=form), 409
    flash(_("Done: the number now works on the new SIM card."), "success")
    return redirect(url_for("office.ticket", ticket_id=found.id))


@bp.post("/tickets/<uuid:ticket_id>/cancel")
def cancel(ticket_id: uuid.UUID) -> Response | tuple[str, int]:
    """Cancel the reissue with a reason; the SIM stays blocked."""
    found = _ticket_or_404(ticket_id)
    form = CancelForm()
    if not form.validate_on_submit():
        return _ticket_page(found, cancel_form=form), 400
    try:
        tickets.cancel(
            db.session, found.id, form.reason.data, region=current_user.region, actor=_actor(), now=utcnow()
        )
        db.session.commit()
    except tickets.TicketNotOpen:
        db.session.rollback()
        flash(_already_closed(), "error")
        return redirect(url_for("office.ticket", ticket_id=found.id))
    flash(_("The ticket has been cancelled. The SIM card stays blocked."), "success")
    return redirect(url_for("office.queue"))


def _already_closed() -> str:
    return _("This ticket has already been closed, perhaps a moment ago by a colleague. Nothing was changed.")


def _ticket_page(
    found: Ticket, fulfil_form: FulfilForm | None = None, cancel_form: CancelForm | None = None
) -> str:
    return render_template(
        "office/ticket.html",
        ticket=found,
        fulfil_form=fulfil_form or FulfilForm(formdata=None),
        cancel_form=cancel_form or CancelForm(formdata=None),
    )
