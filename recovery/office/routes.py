"""Office staff hand over reissued SIMs in their own region.

An office sees only its region's tickets: another region's ticket gets a
staff page saying whose it is (403), not the public "not found". The clerk
checks the passport in person and types its series and number with the new
SIM's ICCID; ``claims.tickets.fulfil`` compares the passport with the keyed
digest on record (never shown), counts a wrong one (five lock the ticket's
hand-over for an hour, here and in the API alike) and moves the number onto the new SIM.

An owner who found the phone gets the SIM unblocked here on the passport
(``office.unblock``, any region: the passport is the proof, not the region).
"""

from __future__ import annotations

import uuid

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from recovery import clock
from recovery.auth import staff_required
from recovery.claims import tickets
from recovery.claims.actors import Actor
from recovery.extensions import db
from recovery.iccid import InvalidIccid
from recovery.lost.forms import forget_typed
from recovery.models import Channel, StaffRole, Ticket, TicketStatus, TicketType
from recovery.network.inventory import SimNotInInventory
from recovery.network.unblock import NotBlocked, ReissueOpen
from recovery.office import bp
from recovery.office.forms import CancelForm, FulfilForm, UnblockForm
from recovery.office.unblock import PassportMismatch, UnblockPaused, unblock_at_office
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


class OtherRegion(Exception):
    """Another region's ticket: the clerk gets a staff page saying so, not "not found"."""

    def __init__(self, region: str) -> None:
        super().__init__(region)
        self.region = region


@bp.errorhandler(OtherRegion)
def _other_region(error: OtherRegion) -> tuple[str, int]:
    """The staff page naming the ticket's region (the clerk tells the owner where to go)."""
    return render_template("office/other_region.html", ticket_region=error.region), 403


def _ticket_or_404(ticket_id: uuid.UUID) -> Ticket:
    """This office's ticket; 404 for none, a 403 staff page for another region's."""
    try:
        return tickets.get_ticket(db.session, ticket_id, current_user.region)
    except tickets.TicketNotFound:
        abort(404)
    except tickets.WrongRegion:
        raise OtherRegion(db.session.get(Ticket, ticket_id).region) from None


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
    return _ticket_page(found, FulfilForm(), CancelForm())


@bp.post("/tickets/<uuid:ticket_id>/fulfil")
def fulfil(ticket_id: uuid.UUID) -> Response | tuple[str, int]:
    """Check the passport shown, then move the number onto the new SIM."""
    found = _ticket_or_404(ticket_id)
    form = FulfilForm()
    if not form.validate_on_submit():
        return _ticket_page(found, fulfil_form=form), 400
    policy = Policy.from_config(current_app.config)
    try:
        tickets.fulfil(
            db.session,
            found.id,
            form.iccid.data,
            passport=form.passport.data,
            pii_key=current_app.config["PII_KEY"],
            region=current_user.region,
            actor=_actor(),
            now=clock.now(),
            cooling_hours=policy.reissue_cooling_hours,
        )
        db.session.commit()
    except tickets.WrongPassport:
        # Counted and audited by the use-case (already committed): nothing else to undo.
        db.session.rollback()
        form.passport.errors = [
            _("This passport does not match the subscriber's record. Do not hand over the SIM.")
        ]
        return _ticket_page(db.session.get(Ticket, ticket_id), fulfil_form=form), 400
    except tickets.FulfilmentLocked:
        db.session.rollback()
        return _ticket_page(db.session.get(Ticket, ticket_id), fulfil_form=form, locked=True), 423
    except tickets.TicketNotOpen:
        db.session.rollback()
        flash(_already_closed(), "error")
        return redirect(url_for("office.ticket", ticket_id=found.id))
    except SimNotInInventory:
        db.session.rollback()
        form.iccid.errors = [
            _("This SIM card is not in the SIM inventory: check the number or take another card.")
        ]
        return _ticket_page(db.session.get(Ticket, ticket_id), fulfil_form=form), 409
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
            db.session,
            found.id,
            form.reason.data,
            region=current_user.region,
            actor=_actor(),
            now=clock.now(),
        )
        db.session.commit()
    except tickets.TicketNotOpen:
        db.session.rollback()
        flash(_already_closed(), "error")
        return redirect(url_for("office.ticket", ticket_id=found.id))
    flash(_("The ticket has been cancelled. The SIM card stays blocked."), "success")
    return redirect(url_for("office.queue"))


@bp.route("/unblock", methods=["GET", "POST"])
def unblock() -> Response | tuple[str, int]:
    """Unblock a found SIM: the passport shown must match the number's record."""
    form = UnblockForm()
    if request.method == "GET":
        return _unblock_page(form), 200
    if not form.validate_on_submit():
        return _unblock_page(form), 400
    try:
        unblock_at_office(
            db.session,
            form.msisdn.data,
            form.passport.data,
            pii_key=current_app.config["PII_KEY"],
            actor=_actor(),
            now=clock.now(),
        )
    except PassportMismatch:
        db.session.commit()  # the refusal is counted and audited
        # The same words for a number that is not ours: this page is no way to look numbers up.
        form.passport.errors = [
            _("This passport does not match the number's record. Do not unblock the SIM.")
        ]
        return _unblock_page(form), 400
    except UnblockPaused:
        db.session.rollback()
        return _unblock_page(form, paused=True), 423
    except NotBlocked:
        db.session.rollback()
        form.msisdn.errors = [_("The SIM card of this number is not blocked: nothing to unblock.")]
        return _unblock_page(form), 409
    except ReissueOpen:
        db.session.rollback()
        form.msisdn.errors = [
            _(
                "A new SIM card is on its way for this number: the old one stays blocked. "
                "Hand over the new one."
            )
        ]
        return _unblock_page(form), 409
    db.session.commit()
    flash(_("Done: the SIM card is unblocked; the network lets it on within minutes."), "success")
    return redirect(url_for("office.unblock"))


def _unblock_page(form: UnblockForm, *, paused: bool = False) -> str:
    forget_typed(form.passport)  # never sent back in the page
    return render_template(
        "office/unblock.html",
        form=form,
        paused=paused,
        lock_hours=tickets.FULFIL_LOCK_HOURS,
        max_failures=tickets.MAX_FULFIL_FAILURES,
    )


def _already_closed() -> str:
    return _("This ticket has already been closed, perhaps a moment ago by a colleague. Nothing was changed.")


def _ticket_page(
    found: Ticket,
    fulfil_form: FulfilForm | None = None,
    cancel_form: CancelForm | None = None,
    *,
    locked: bool = False,
) -> str:
    return render_template(
        "office/ticket.html",
        ticket=found,
        fulfil_form=fulfil_form or FulfilForm(formdata=None),
        cancel_form=cancel_form or CancelForm(formdata=None),
        locked=locked or _is_locked(found),
        lock_hours=tickets.FULFIL_LOCK_HOURS,
        max_failures=tickets.MAX_FULFIL_FAILURES,
    )


def _is_locked(found: Ticket) -> bool:
    return found.fulfil_locked_until is not None and found.fulfil_locked_until > clock.now()
