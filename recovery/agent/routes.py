"""The agent console: one page for a live call.

The agent types the caller's answers; submitting runs the same claim as the
wizard (same policy, same lock) with the agent's identity on the claim and in
the audit log. The result shows, per answer, matched / not matched / not
available, the calls matched out of those required, post-loss activity, the
lock state and the home region — never a stored value or the call list, so an
agent cannot prompt the caller. Agents see their own recent claims.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from flask import Response, abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from recovery.agent import bp
from recovery.agent.forms import AgentClaimForm
from recovery.auth import staff_required
from recovery.claims import lockout, tickets
from recovery.claims.actors import Actor
from recovery.claims.boundary import policy, region_name, render_messages, run_claim
from recovery.claims.submit import ClaimRequest, InvalidClaim, stored_messages
from recovery.extensions import db
from recovery.lost.forms import as_aware, forget_typed
from recovery.models import Action, Channel, Claim, StaffRole, Subscriber
from recovery.models.types import utcnow
from recovery.phones import InvalidPhoneNumber, to_e164
from recovery.security.ratelimit import claim_limits

RECENT_CLAIMS = 20


@bp.before_request
@staff_required(StaffRole.AGENT)
def _agents_only() -> None:
    """Deny by default: every page here needs an agent."""


def _recent_claims() -> list[Claim]:
    return list(
        db.session.scalars(
            select(Claim)
            .where(Claim.staff_user_id == current_user.id)
            .order_by(Claim.created_at.desc())
            .limit(RECENT_CLAIMS)
        )
    )


@dataclass(frozen=True)
class NumberStatus:
    """What an agent may know about a number before asking: lock, failures, home region, open reissue."""

    msisdn: str
    locked_until: datetime | None
    failed_claims: int
    max_failed_claims: int
    home_region: str | None
    open_reissue: str | None

    @property
    def locked(self) -> bool:
        """Remote verification is refused until ``locked_until``."""
        return self.locked_until is not None

    def as_json(self) -> dict[str, object]:
        """The panel's JSON for the console's script."""
        return {
            "msisdn": self.msisdn,
            "locked": self.locked,
            "lockedUntil": self.locked_until.isoformat() if self.locked_until else None,
            "failedClaims": self.failed_claims,
            "maxFailedClaims": self.max_failed_claims,
            "homeRegion": self.home_region,
            "homeRegionName": region_name(self.home_region) if self.home_region else None,
            "openReissue": self.open_reissue,
        }


def number_status(msisdn: str) -> NumberStatus:
    """The status of ``msisdn`` now (E.164)."""
    now = utcnow()
    rules = policy()
    lock = lockout.current_lock(db.session, msisdn, now, rules)
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.msisdn == msisdn))
    open_ticket = tickets.open_reissue_of(db.session, subscriber.id) if subscriber is not None else None
    return NumberStatus(
        msisdn=msisdn,
        locked_until=lock.until if lock.locked else None,
        failed_claims=lockout.recent_failures(db.session, msisdn, now, rules),
        max_failed_claims=rules.max_failed_claims,
        home_region=subscriber.home_region if subscriber is not None else None,
        open_reissue=str(open_ticket.id) if open_ticket is not None else None,
    )


def _console(form: AgentClaimForm, status_code: int = 200) -> tuple[str, int]:
    forget_typed(form.passport)
    status = None
    raw = request.args.get("msisdn") or form.msisdn.data
    if raw:
        try:
            status = number_status(to_e164(raw))
        except InvalidPhoneNumber:
            status = None
    return (
        render_template("agent/console.html", form=form, status=status, recent=_recent_claims()),
        status_code,
    )


@bp.get("/")
def console() -> tuple[str, int]:
    """The claim form, the number's status when one is given, and the agent's recent claims."""
    form = AgentClaimForm()
    if request.args.get("msisdn"):
        form.msisdn.data = request.args["msisdn"]
    return _console(form)


@bp.get("/number-status")
def number_status_json() -> Response | tuple[Response, int]:
    """The status panel as JSON, for the console's script."""
    try:
        msisdn = to_e164(request.args.get("msisdn", ""))
    except InvalidPhoneNumber:
        return jsonify(error="invalid number"), 400
    return jsonify(number_status(msisdn).as_json())


@bp.post("/claims")
@claim_limits("agent")
def submit() -> Response | tuple[str, int]:
    """Submit the caller's answers; show the claim's result page (PRG)."""
    form = AgentClaimForm()
    if not form.validate_on_submit():
        return _console(form, 400)
    claim_request = ClaimRequest(
        msisdn=form.msisdn.data,
        full_name=form.full_name.data,
        action=Action(form.action.data),
        current_region=form.current_region.data,
        passport=form.passport.data,
        registered_address=form.registered_address.data or "",
        recent_calls=form.recent_calls,
        lost_at=as_aware(form.lost_at.data),
    )
    try:
        result = run_claim(claim_request, Actor.staff(current_user, Channel.AGENT, request.remote_addr))
    except InvalidClaim as exc:
        db.session.rollback()
        form.msisdn.errors = [str(exc)]
        return _console(form, 400)
    db.session.commit()
    return redirect(url_for("agent.claim", claim_id=result.claim.id))


@bp.get("/claims/<uuid:claim_id>")
def claim(claim_id: uuid.UUID) -> str:
    """One of the agent's claims: per-answer results, outcome, ticket and what to tell the caller."""
    found = db.session.get(Claim, claim_id)
    if found is None or found.staff_user_id != current_user.id:
        abort(404)
    subscriber = db.session.get(Subscriber, found.subscriber_id) if found.subscriber_id else None
    return render_template(
        "agent/claim.html",
        claim=found,
        checks=found.verification or {},
        messages=render_messages(stored_messages(found)),
        home_region=subscriber.home_region if subscriber is not None else None,
        status=number_status(found.msisdn),
    )
