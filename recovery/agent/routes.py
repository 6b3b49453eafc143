"""The agent console: one page for a live call.

The agent types the caller's answers; submitting runs the same claim as the
wizard (same policy, same lock) with the agent's identity on the claim and in
the audit log. Once a claim proved name and passport, its page shows, per
answer, matched / not matched / not available, the calls matched out of those
required, post-loss activity and the home region — never a stored value or the
call list, so an agent cannot prompt the caller. A rejected or locked claim
shows only "not verified": per-answer results there would tell a subscriber
from a stranger (DESIGN 2.3). Agents see their own claims only.

The number-status panel (before the claim) tells only the lock state and the
failures, the same for a number that is ours and one that is not; each look-up
is audited and limited per agent (``AGENT_STATUS_LOOKUP_LIMITS``), so the
console is no way to list subscribers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Response, abort, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import TooManyRequests

from recovery import audit, clock
from recovery.agent import bp
from recovery.agent.forms import AgentClaimForm
from recovery.auth import staff_required
from recovery.claims import lockout
from recovery.claims.actors import Actor
from recovery.claims.boundary import policy, run_claim
from recovery.claims.ceiling import TooManyFailedNumbers
from recovery.claims.records import stored_messages
from recovery.claims.submit import ClaimRequest, InvalidClaim
from recovery.extensions import db, limiter
from recovery.lost.blocking import blocking, render_result_messages
from recovery.lost.forms import as_aware, claimant_zone, forget_typed
from recovery.models import Action, Channel, Claim, Outcome, StaffRole, Subscriber
from recovery.phones import InvalidPhoneNumber, to_e164
from recovery.security.ratelimit import AGENT_STATUS_LOOKUP_LIMITS, claim_limits, user_key

RECENT_CLAIMS = 20


def _lookup_limits() -> str:
    return current_app.config.get("AGENT_STATUS_LOOKUP_LIMITS", AGENT_STATUS_LOOKUP_LIMITS)


#: Number-status look-ups, per agent, on the JSON panel and the console's ``?msisdn=`` alike
#: (one bucket); a page without a number is no look-up and is not counted.
status_lookup_limits = limiter.shared_limit(
    _lookup_limits,
    scope="agent-number-status",
    key_func=user_key,
    methods=["GET"],
    exempt_when=lambda: not request.args.get("msisdn"),
    override_defaults=False,
)


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
    """What an agent may know about a number before asking: the lock and the failures.

    Nothing here depends on whether the number is ours (no home region, no open
    ticket): the panel must not tell a subscriber's number from a stranger's.
    """

    msisdn: str
    locked_until: datetime | None
    failed_claims: int
    max_failed_claims: int

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
        }


def number_status(msisdn: str) -> NumberStatus:
    """The status of ``msisdn`` now (E.164): the same statements whether the number is ours or not."""
    now = clock.now()
    rules = policy()
    lock = lockout.current_lock(db.session, msisdn, now, rules)
    return NumberStatus(
        msisdn=msisdn,
        locked_until=lock.until if lock.locked else None,
        failed_claims=lockout.recent_failures(db.session, msisdn, now, rules),
        max_failed_claims=rules.max_failed_claims,
    )


def looked_up_status(msisdn: str) -> NumberStatus:
    """``number_status`` asked by the agent before a claim: audited (who looked up which number)."""
    status = number_status(msisdn)
    audit.record(
        db.session,
        actor=f"staff:{current_user.login}",
        action="agent.number_status",
        channel=Channel.AGENT,
        subject=msisdn,
        ip=request.remote_addr,
    )
    db.session.commit()
    return status


def _console(form: AgentClaimForm, status_code: int = 200) -> tuple[str, int]:
    forget_typed(form.passport)
    status = None
    # Only an explicit look-up (``?msisdn=``, counted and audited) shows the panel: a form sent
    # back with errors must not be a way round the look-up limit.
    raw = request.args.get("msisdn")
    if raw:
        try:
            status = looked_up_status(to_e164(raw))
        except InvalidPhoneNumber:
            status = None
    return (
        render_template("agent/console.html", form=form, status=status, recent=_recent_claims()),
        status_code,
    )


@bp.get("/")
@status_lookup_limits
def console() -> tuple[str, int]:
    """The claim form, the number's status when one is given, and the agent's recent claims."""
    form = AgentClaimForm()
    if request.args.get("msisdn"):
        form.msisdn.data = request.args["msisdn"]
    return _console(form)


@bp.get("/number-status")
@status_lookup_limits
def number_status_json() -> Response | tuple[Response, int]:
    """The status panel as JSON, for the console's script (limited and audited per look-up)."""
    try:
        msisdn = to_e164(request.args.get("msisdn", ""))
    except InvalidPhoneNumber:
        return jsonify(error="invalid number"), 400
    return jsonify(looked_up_status(msisdn).as_json())


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
        lost_at=as_aware(form.lost_at.data, claimant_zone(form.current_region.data)),
    )
    try:
        result = run_claim(claim_request, Actor.staff(current_user, Channel.AGENT, request.remote_addr))
    except InvalidClaim as exc:
        db.session.rollback()
        form.msisdn.errors = [str(exc)]
        return _console(form, 400)
    except TooManyFailedNumbers as exc:
        raise TooManyRequests(retry_after=exc.retry_after) from None
    db.session.commit()
    # Which answers the caller gave, for this claim's page only (the claim keeps no answers).
    session[NOT_ASKED_KEY] = {
        "claim": str(result.claim.id),
        "address": not (form.registered_address.data or "").strip(),
        "calls": not form.recent_calls,
    }
    return redirect(url_for("agent.claim", claim_id=result.claim.id))


#: Session key: the answers left empty on the agent's latest claim ("not asked", not "does not match").
NOT_ASKED_KEY = "agent_not_asked"


def _not_asked(claim_id: uuid.UUID) -> dict[str, bool]:
    kept = session.get(NOT_ASKED_KEY) or {}
    if kept.get("claim") != str(claim_id):
        return {}
    return {"address": bool(kept.get("address")), "calls": bool(kept.get("calls"))}


#: Outcomes after which the agent sees the per-answer results: name and passport were proven.
VERIFIED_OUTCOMES = frozenset({Outcome.BLOCK, Outcome.REISSUE})


@bp.get("/claims/<uuid:claim_id>")
def claim(claim_id: uuid.UUID) -> str:
    """One of the agent's own claims: outcome, ticket, what to tell the caller; answers once verified."""
    found = db.session.get(Claim, claim_id)
    # Another agent's claim is answered like a missing one (supervisors have their own pages).
    if found is None or found.staff_user_id != current_user.id:
        abort(404)
    verified = found.outcome in VERIFIED_OUTCOMES and found.subscriber_id is not None
    subscriber = db.session.get(Subscriber, found.subscriber_id) if verified else None
    still_blocking = verified and blocking(found.msisdn)
    return render_template(
        "agent/claim.html",
        claim=found,
        verified=verified,
        checks=(found.verification or {}) if verified else {},
        # Only a verified claim asks the network: a rejected page stays the same for every number.
        messages=render_result_messages(stored_messages(found), blocking=still_blocking),
        blocking=still_blocking,
        home_region=subscriber.home_region if subscriber is not None else None,
        status=number_status(found.msisdn),
        not_asked=_not_asked(found.id),
        recent_swap=verified and _sim_changed_recently(subscriber),
    )


#: A SIM change this recent makes a caller's claim suspect (a SIM-swap fraud may be under way).
RECENT_SIM_CHANGE = timedelta(hours=24)


def _sim_changed_recently(subscriber: Subscriber | None) -> bool:
    """Whether the number moved to a new SIM within ``RECENT_SIM_CHANGE``."""
    sim = subscriber.current_sim if subscriber is not None else None
    activated = sim.activated_at if sim is not None else None
    changed = activated is not None and len(subscriber.sims) > 1
    return changed and clock.now() - activated < RECENT_SIM_CHANGE
