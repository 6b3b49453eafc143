"""The wizard: number and name → passport → address → recent calls → where and when →
what you want → review → result.

Answers live in an encrypted server-side draft between steps
(:mod:`recovery.lost.drafts`); the session holds only its handle. Each step is
a GET (show, prefilled) and a POST (validate, save, redirect: Post/Redirect/Get);
"Back" is a plain link to the previous step, and the review links to each step
with ``then=review`` to come straight back. A step cannot be reached before the
ones it follows are answered.

The result never says which answer failed and shows no stored data; an unknown
number gets exactly the page of a wrong answer.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import select

from recovery import clock
from recovery.claims.actors import Actor
from recovery.claims.boundary import run_claim
from recovery.claims.records import stored_messages
from recovery.claims.submit import ClaimRequest, InvalidClaim
from recovery.extensions import db
from recovery.lost import bp, drafts
from recovery.lost.blocking import blocking, render_result_messages
from recovery.lost.forms import SubmitForm, claimant_zone
from recovery.lost.steps import STEPS, Step
from recovery.models import Action, Claim, Office, Outcome
from recovery.security.ratelimit import claim_limits, ip_key, number_bucket
from recovery.verification import MessageCode

DRAFT_KEY = "lost_draft"
RESULT_KEY = "lost_result"

#: Messages after which the claimant must go to a home-region office: show its addresses.
_OFFICE_VISIT = frozenset(
    {
        MessageCode.REISSUE_TICKET_OPENED,
        MessageCode.REISSUE_TICKET_EXISTS,
        MessageCode.REISSUE_HOME_REGION_ONLY,
        MessageCode.REISSUE_NEEDS_OFFICE_VISIT,
        MessageCode.REISSUE_IN_PERSON_ONLY,
    }
)


STEP_NAMES = tuple(step.name for step in STEPS)
#: The steps plus the review, for the progress indicator.
TOTAL_PAGES = len(STEPS) + 1


def _step(name: str) -> Step:
    for step in STEPS:
        if step.name == name:
            return step
    abort(404)


def _first_incomplete(data: dict[str, Any]) -> Step | None:
    return next((step for step in STEPS if not step.complete(data)), None)


def _progress(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The wizard's steps for the progress list; answered steps link back to themselves."""
    steps: list[dict[str, Any]] = [
        {"label": step.title, "url": url_for("lost.step", name=step.name) if step.complete(data) else None}
        for step in STEPS
    ]
    return [*steps, {"label": _("Check your answers"), "url": None}]


def _load() -> dict[str, Any] | None:
    return drafts.load(db.session, session.get(DRAFT_KEY), clock.now())


def _expired_redirect() -> Response:
    if session.pop(DRAFT_KEY, None):
        flash(
            _(
                "Your answers were kept for %(minutes)s minutes and have expired. Please start again.",
                minutes=drafts.DRAFT_MINUTES,
            ),
            "warning",
        )
    return redirect(url_for("lost.step", name=STEP_NAMES[0]))


@bp.get("/")
def start() -> str:
    """What the wizard asks for and why; continue an unfinished claim or start one."""
    return render_template("lost/start.html", has_draft=_load() is not None, first=STEP_NAMES[0])


@bp.post("/restart")
def restart() -> Response:
    """Forget the unfinished claim and start again."""
    drafts.discard(db.session, session.pop(DRAFT_KEY, None))
    db.session.commit()
    return redirect(url_for("lost.step", name=STEP_NAMES[0]))


@bp.route("/step/<name>", methods=["GET", "POST"])
def step(name: str) -> Response | str | tuple[str, int]:
    """Show a step (prefilled from the draft) or save it and go on."""
    current = _step(name)
    index = STEP_NAMES.index(name)
    data = _load()
    if data is None and index > 0:
        return _expired_redirect()
    data = data or {}
    missing = _first_incomplete(data)
    if missing is not None and STEP_NAMES.index(missing.name) < index:
        return redirect(url_for("lost.step", name=missing.name))

    form = current.form() if request.method == "POST" else current.form(data=current.fill(data))
    back_to_review = (request.args.get("then") or form.then.data) == "review"
    if request.method == "GET":
        form.then.data = "review" if back_to_review else ""
    if request.method == "POST" and form.validate_on_submit() and current.validate(form, data):
        _save_step(current, form, data, starting=index == 0 and not back_to_review)
        db.session.commit()
        if back_to_review or index == len(STEPS) - 1:
            following = _first_incomplete(data)
            if following is None:
                return redirect(url_for("lost.review"))
            return redirect(url_for("lost.step", name=following.name))
        return redirect(url_for("lost.step", name=STEP_NAMES[index + 1]))
    current.redisplay(form)
    status = 400 if request.method == "POST" else 200
    previous = STEP_NAMES[index - 1] if index > 0 else None
    return (
        render_template(
            f"lost/step_{name}.html",
            form=form,
            step=current,
            number=index + 1,
            total=TOTAL_PAGES,
            previous=previous,
            back_to_review=back_to_review,
            has_passport=bool(data.get("passport_digest")),
            progress=_progress(data),
        ),
        status,
    )


def _save_step(current: Step, form: FlaskForm, data: dict[str, Any], *, starting: bool) -> None:
    """Store the step's answers in the draft under a new handle (see ``drafts``), starting one if needed.

    ``starting``: the first step, saved on the way forward, is where a claim
    starts: the session is renewed too (only the language survives), so
    nothing a stranger planted in it carries over.
    """
    current.store(form, data)
    now = clock.now()
    handle = session.get(DRAFT_KEY)
    if starting:
        _fresh_session()
    new_handle = drafts.save(db.session, handle, data, now) if handle else None
    if new_handle is None:
        new_handle = drafts.start(db.session, now, data)
    session[DRAFT_KEY] = new_handle


def _fresh_session() -> None:
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


@bp.get("/review")
def review() -> Response | str:
    """Every answer on one page, each with a link to change it; the passport only as "entered"."""
    data = _load()
    if data is None:
        return _expired_redirect()
    missing = _first_incomplete(data)
    if missing is not None:
        return redirect(url_for("lost.step", name=missing.name))
    lost_at = datetime.fromisoformat(data["lost_at"]) if data.get("lost_at") else None
    return render_template(
        "lost/review.html",
        data=data,
        lost_at=lost_at,
        zone=claimant_zone(data.get("current_region"), data.get("time_zone")),
        form=SubmitForm(),
        number=TOTAL_PAGES,
        progress=_progress(data),
    )


def draft_number_key() -> str:
    """Rate-limit key of the final submit: the number claimed in the draft (hashed), else the address."""
    data = _load()
    if not data or not data.get("msisdn"):
        return ip_key()
    return number_bucket(data["msisdn"], current_app.config["PII_KEY"])


@bp.post("/submit")
@claim_limits("web", number_key=draft_number_key)
def submit() -> Response:
    """Submit the claim, forget the draft, and show the result (PRG)."""
    form = SubmitForm()
    if not form.validate_on_submit():
        abort(400)
    handle = session.get(DRAFT_KEY)
    data = drafts.load(db.session, handle, clock.now())
    if data is None:
        return _expired_redirect()
    if _first_incomplete(data) is not None:
        return redirect(url_for("lost.review"))
    claim_request = ClaimRequest(
        msisdn=data["msisdn"],
        full_name=data["full_name"],
        action=Action(data["action"]),
        current_region=data["current_region"],
        passport_digest=data["passport_digest"],
        registered_address=data.get("registered_address", ""),
        recent_calls=tuple(data.get("recent_calls", ())),
        lost_at=datetime.fromisoformat(data["lost_at"]) if data.get("lost_at") else None,
    )
    try:
        result = run_claim(claim_request, Actor.claimant(request.remote_addr))
    except InvalidClaim:
        db.session.rollback()
        flash(_("Some answers need checking. Please review them."), "error")
        return redirect(url_for("lost.review"))
    drafts.discard(db.session, handle)
    session.pop(DRAFT_KEY, None)
    if result.claim.outcome is Outcome.REJECTED:
        # "Try again" keeps the answers, as before the submit, but never the passport: it is
        # typed again, so a retry costs a guesser as much as the first try.
        retry = {key: value for key, value in data.items() if key != "passport_digest"}
        session[DRAFT_KEY] = drafts.start(db.session, clock.now(), retry)
    db.session.commit()
    session[RESULT_KEY] = str(result.claim.id)
    return redirect(url_for("lost.result"))


@bp.get("/result")
def result() -> Response | str:
    """The outcome and what to do next."""
    try:
        claim_id = uuid.UUID(session.get(RESULT_KEY) or "")
    except ValueError:
        return redirect(url_for("lost.start"))
    claim = db.session.get(Claim, claim_id)
    if claim is None:
        return redirect(url_for("lost.start"))
    messages = stored_messages(claim)
    codes = {message.code for message in messages}
    succeeded = claim.outcome in (Outcome.BLOCK, Outcome.REISSUE)
    home_region = claim.ticket.subscriber.home_region if succeeded and claim.ticket is not None else None
    # Only a verified claim asks the network: a rejected page stays the same for every number.
    still_blocking = succeeded and blocking(claim.msisdn)
    offices = []
    if home_region and codes & _OFFICE_VISIT:
        offices = db.session.scalars(
            select(Office).where(Office.region == home_region).order_by(Office.name)
        ).all()
    return render_template(
        "lost/result.html",
        claim=claim,
        outcome=claim.outcome.value,
        ticket=claim.ticket if succeeded else None,
        home_region=home_region,
        offices=offices,
        # Post-loss activity has its own warning above the messages, with the count in words.
        messages=render_result_messages(
            (m for m in messages if m.code is not MessageCode.POST_LOSS_ACTIVITY), blocking=still_blocking
        ),
        blocking=still_blocking,
        post_loss=claim.post_loss_events if MessageCode.POST_LOSS_ACTIVITY in codes else 0,
        draft_minutes=drafts.DRAFT_MINUTES,
    )
