"""Claims and tickets for call-centre and office software (DESIGN 3.2), under ``/api/v1``.

* ``POST /claims`` (agent, ``claims:write``): the same claim as the wizard and
  the console, with the verification detail an agent may see (matched or not,
  never a stored value). 201 with a new ticket or none; 200 when an open
  reissue ticket is returned instead of a new one.
* ``GET /claims/{id}`` (agent, ``claims:read``): only the client that made
  the claim reads it (another client's claim is 404, as if it did not exist);
  ``GET /tickets/{id}`` (agent, ``tickets:read``).
* For ``rejected`` and ``locked`` claims ``verification`` is null and the body
  is the same for a number that is not ours and a subscriber with a wrong
  answer (ids aside): nothing tells a stranger from a subscriber.
* A client rejected on ``MAX_FAILED_NUMBERS_PER_CLIENT`` distinct numbers
  within the hour gets 429 ``TOO_MANY_REQUESTS`` (``recovery.claims.ceiling``).
* ``POST /tickets/{id}/fulfil`` (office with a region, ``tickets:fulfil``):
  the new SIM's ICCID and the passport shown; a wrong passport is 403 (counted:
  five lock the ticket's hand-over for an hour, 429, on web and API alike), a
  ticket of another region is 403, a ticket closed in the meantime (a
  concurrent fulfilment) is 409.

Ids are random UUIDs. Any malformed request is a 4xx in the error shape of
``recovery.api.errors``, never a 500. The OpenAPI schemas are the contract:
whatever they admit is answered with a decision, except a ``lostAt`` in the
future or over a year ago (400 ``OUT_OF_RANGE``, a rule no JSON Schema can
state) and, on fulfilment, an ICCID whose check digit is wrong (400).
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask import current_app, request
from flask_smorest import Blueprint

from recovery import clock
from recovery.api import ErrorInfo
from recovery.api.auth import BEARER_SCHEME, current_client, token_required
from recovery.api.errors import ApiError, json_object_body
from recovery.claims import tickets
from recovery.claims.actors import Actor
from recovery.claims.boundary import policy, render_messages, run_claim
from recovery.claims.ceiling import TooManyFailedNumbers
from recovery.claims.submit import (
    ClaimRequest,
    ClaimResult,
    InvalidClaim,
    LossTimeOutOfRange,
    stored_messages,
)
from recovery.extensions import db
from recovery.iccid import InvalidIccid
from recovery.models import Action, ApiRole, Claim, Outcome, Subscriber, Ticket
from recovery.network.inventory import SimNotInInventory
from recovery.regions import all_regions
from recovery.security.ratelimit import api_limits, claim_limits
from recovery.verification.settings import MAX_CLAIMED_CALLS

blp = Blueprint(
    "claims_api",
    __name__,
    url_prefix="/api/v1",
    description="Lost-SIM claims (agents) and reissue tickets (agents read, offices fulfil).",
)
api_limits(blp)
SECURITY = [{BEARER_SCHEME: []}]


# --- Validation --------------------------------------------------------------------------------

#: A Russian mobile number in the usual spellings: ``+7 916 123-45-67``, ``8 (916) 1234567``,
#: ``79161234567``, ``9161234567``. The schema is the contract: any text it admits is accepted,
#: and a number that is not ours (or not in service) is answered ``rejected``, never 400.
PHONE_PATTERN = r"^(\+7|7|8)?[ (-]*9[0-9]{2}[ )-]*[0-9]{3}[ -]*[0-9]{2}[ -]*[0-9]{2}$"
#: Series and number of a Russian passport, spaces, hyphens and "№" allowed: ``4509 123456``.
PASSPORT_PATTERN = r"^[ \-№N]*([0-9][ \-№N]*){10}$"
#: An ICCID as printed: 19 or 20 digits (the check digit is checked on fulfilment).
ICCID_PATTERN = r"^[0-9]{19,20}$"
REGION_CODES = tuple(region.code for region in all_regions())


def passport_field(description: str | None = None) -> ma.fields.String:
    """A required passport, as typed (``PASSPORT_PATTERN``): the claim's and the hand-over's."""
    metadata = {"example": "4509 123456"}
    if description is not None:
        metadata = {"description": description, **metadata}
    return ma.fields.String(
        required=True,
        validate=[
            ma.validate.Length(max=40),
            ma.validate.Regexp(
                PASSPORT_PATTERN, error="A passport is a 4-digit series and a 6-digit number."
            ),
        ],
        metadata=metadata,
    )


def mobile_e164(text: str) -> str:
    """``+7`` and the ten national digits of a number that matched ``PHONE_PATTERN``."""
    return "+7" + re.sub(r"[^0-9]", "", text)[-10:]


class ClaimRequestSchema(ma.Schema):
    """A claim typed by an agent's software (DESIGN 3.2)."""

    class Meta:
        unknown = ma.RAISE

    phoneNumber = ma.fields.String(
        required=True,
        validate=[
            ma.validate.Length(max=32),
            ma.validate.Regexp(PHONE_PATTERN, error="Not a Russian mobile number."),
        ],
        metadata={"example": "8 916 123-45-67"},
    )
    fullName = ma.fields.String(required=True, validate=ma.validate.Length(1, 200))
    passport = passport_field()
    registeredAddress = ma.fields.String(load_default="", validate=ma.validate.Length(max=300))
    recentCalls = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(max=32)),
        load_default=list,
        validate=ma.validate.Length(max=MAX_CLAIMED_CALLS),
        metadata={"description": "Numbers the caller called recently, any format; others are not counted."},
    )
    currentRegion = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(REGION_CODES, error="Not an ISO 3166-2:RU region code, e.g. RU-MOW."),
    )
    action = ma.fields.String(required=True, validate=ma.validate.OneOf([a.value for a in Action]))
    lostAt = ma.fields.AwareDateTime(
        load_default=None,
        metadata={"description": "Default now; a time in the future or over a year ago is 400 OUT_OF_RANGE."},
    )


class FulfilRequestSchema(ma.Schema):
    """The ICCID printed on the new SIM card, and the passport the office saw in person."""

    class Meta:
        unknown = ma.RAISE

    iccid = ma.fields.String(
        required=True,
        validate=ma.validate.Regexp(ICCID_PATTERN, error="An ICCID is 19 or 20 digits."),
        metadata={"example": "8970199000000000007"},
    )
    passport = passport_field(
        "Series and number of the passport shown, checked against the record. "
        "A wrong one is 403 and counted; after 5 for one ticket its hand-over is locked "
        "for an hour (429)."
    )


class TicketSchema(ma.Schema):
    """A ticket: a block (done at once) or a reissue for the home region's offices."""

    id = ma.fields.UUID(required=True)
    type = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    region = ma.fields.String(required=True)


class VerificationSchema(ma.Schema):
    """Which answers matched; never the stored values. Null for a rejected or locked claim."""

    name = ma.fields.Boolean(required=True)
    passport = ma.fields.Boolean(required=True)
    address = ma.fields.Boolean(required=True)
    callsMatched = ma.fields.Integer(required=True)
    callsRequired = ma.fields.Integer(required=True)
    postLossActivity = ma.fields.Integer(required=True)


class ClaimResponseSchema(ma.Schema):
    """The decision on a claim."""

    claimId = ma.fields.UUID(required=True)
    outcome = ma.fields.String(required=True)
    homeRegion = ma.fields.String(allow_none=True, required=True)
    ticket = ma.fields.Nested(TicketSchema, allow_none=True, required=True)
    verification = ma.fields.Nested(
        VerificationSchema,
        allow_none=True,
        required=True,
        metadata={"description": "Null for rejected and locked: no per-answer result is told then."},
    )
    messages = ma.fields.List(ma.fields.String(), required=True)


# --- Helpers -----------------------------------------------------------------------------------


ERROR_DESCRIPTIONS = {
    400: "The request is malformed (INVALID_ARGUMENT) or lostAt is out of range (OUT_OF_RANGE).",
    401: "No valid bearer token (UNAUTHENTICATED).",
    403: "The token's role, scope or region does not allow this, or (fulfil) the passport is not "
    "the subscriber's (PERMISSION_DENIED).",
    404: "No such claim or ticket (NOT_FOUND).",
    409: "The ticket is no longer open, or the ICCID is taken (CONFLICT).",
    413: "The body is larger than the limit (PAYLOAD_TOO_LARGE).",
    429: (
        "Too many requests (TOO_MANY_REQUESTS): this client was rejected on too many distinct "
        "numbers within the hour (claims), or too many wrong passports were typed for this ticket "
        "and its hand-over is locked for an hour (fulfil)."
    ),
}


def document_errors(*statuses: int) -> Callable:
    """Document the error responses an operation may give, in the ErrorInfo shape."""

    def decorator(view: Callable) -> Callable:
        for status in statuses:
            view = blp.alt_response(status, schema=ErrorInfo, description=ERROR_DESCRIPTIONS[status])(view)
        return view

    return decorator


CLAIM_EXAMPLE = {
    "phoneNumber": "8 916 123-45-67",
    "fullName": "Иванов Иван Иванович",
    "passport": "4509 123456",
    "registeredAddress": "г. Москва, ул. Ленина, д. 5, кв. 12",
    "recentCalls": ["+79031112233", "8 925 444 55 66", "84951234567"],
    "currentRegion": "RU-MOW",
    "action": "reissue",
}


def _not_found() -> ApiError:
    return ApiError(404, "NOT_FOUND", "The specified resource is not found.")


def _ticket_body(ticket: Ticket | None) -> dict[str, Any] | None:
    if ticket is None:
        return None
    return {
        "id": ticket.id,
        "type": ticket.type.value,
        "status": ticket.status.value,
        "region": ticket.region,
    }


def _verified(claim: Claim) -> bool:
    # Only a claim that proved the identity learns the home region: a rejected or locked one is
    # answered the same whether the number is ours or not (no oracle, no extra query).
    return claim.outcome in (Outcome.BLOCK, Outcome.REISSUE) and claim.subscriber_id is not None


def _verification_body(claim: Claim) -> dict[str, Any] | None:
    """Which answers matched, only for a claim that proved name and passport.

    A rejected or locked claim tells nothing per answer: ``address: true`` or
    ``callsMatched: 2`` on a wrong passport would tell a subscriber from a
    stranger, and how the subscriber uses the phone.
    """
    if not _verified(claim):
        return None
    checks = claim.verification or {}
    return {
        "name": checks.get("name") == "true",
        "passport": checks.get("passport") == "true",
        "address": checks.get("address") == "true",
        "callsMatched": checks.get("callsMatched", 0),
        "callsRequired": checks.get("callsRequired", policy().calls.calls_required),
        "postLossActivity": checks.get("postLossActivity", 0),
    }


def _claim_body(claim: Claim, home_region: str | None, ticket: Ticket | None) -> dict[str, Any]:
    """The response body of a claim, the same whether just made or read back.

    ``home_region`` is the subscriber's, given only for a verified claim;
    ``ticket`` is the claim's (passed in: the objects in hand, no lazy load).
    """
    return {
        "claimId": claim.id,
        "outcome": claim.outcome.value,
        "homeRegion": home_region if _verified(claim) else None,
        "ticket": _ticket_body(ticket),
        "verification": _verification_body(claim),
        "messages": render_messages(stored_messages(claim)),
    }


def _parse_id(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise _not_found() from None


# --- Endpoints ---------------------------------------------------------------------------------


@blp.route("/claims", methods=["POST"])
@claim_limits("api")
@token_required(ApiRole.AGENT, "claims:write")
@json_object_body
@blp.arguments(ClaimRequestSchema, error_status_code=400, example=CLAIM_EXAMPLE)
@blp.response(201, ClaimResponseSchema, description="The claim, with a new ticket or none.")
@blp.alt_response(
    200,
    schema=ClaimResponseSchema,
    description="The claim, answered with the open reissue ticket.",
    success=True,
)
@document_errors(401, 403, 413, 429)
@blp.doc(security=SECURITY)
def create_claim(body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Report a lost SIM for a caller: verify, decide, block and open or return a ticket."""
    claim_request = ClaimRequest(
        msisdn=mobile_e164(body["phoneNumber"]),
        full_name=body["fullName"],
        action=Action(body["action"]),
        current_region=body["currentRegion"],
        passport=body["passport"],
        registered_address=body["registeredAddress"],
        recent_calls=tuple(body["recentCalls"]),
        lost_at=body["lostAt"],
    )
    try:
        result: ClaimResult = run_claim(
            claim_request, Actor.api_client(current_client(), request.remote_addr)
        )
    except LossTimeOutOfRange as exc:
        db.session.rollback()
        raise ApiError(400, "OUT_OF_RANGE", str(exc)) from None
    except InvalidClaim as exc:
        db.session.rollback()
        raise ApiError(400, "INVALID_ARGUMENT", str(exc)) from None
    except TooManyFailedNumbers as exc:
        raise ApiError(
            429,
            "TOO_MANY_REQUESTS",
            "Too many numbers failed verification from this client; retry later.",
            headers={"Retry-After": str(exc.retry_after)},
        ) from None
    # The answer is read from the objects in hand: after the commit they would be read back.
    body = _claim_body(result.claim, result.home_region, result.ticket)
    location = f"{request.script_root}/api/v1/claims/{result.claim.id}"
    db.session.commit()
    status = 200 if result.ticket is not None and not result.ticket_created else 201
    return body, status, {"Location": location}


@blp.route("/claims/<claim_id>", methods=["GET"])
@token_required(ApiRole.AGENT, "claims:read")
@blp.response(200, ClaimResponseSchema)
@document_errors(401, 403, 404, 429)
@blp.doc(security=SECURITY)
def get_claim(claim_id: str) -> dict[str, Any]:
    """A claim's decision, as it was answered; only to the client that made it."""
    claim = db.session.get(Claim, _parse_id(claim_id))
    # Another client's claim is answered like a missing one: ids are no way into others' claims.
    if claim is None or claim.api_client_id != current_client().id:
        raise _not_found()
    subscriber = db.session.get(Subscriber, claim.subscriber_id) if _verified(claim) else None
    return _claim_body(claim, subscriber.home_region if subscriber is not None else None, claim.ticket)


@blp.route("/tickets/<ticket_id>", methods=["GET"])
@token_required(ApiRole.AGENT, "tickets:read")
@blp.response(200, TicketSchema)
@document_errors(401, 403, 404, 429)
@blp.doc(security=SECURITY)
def get_ticket(ticket_id: str) -> dict[str, Any] | None:
    """A ticket's type, status and region."""
    try:
        ticket = tickets.get_ticket(db.session, _parse_id(ticket_id))
    except tickets.TicketNotFound:
        raise _not_found() from None
    return _ticket_body(ticket)


@blp.route("/tickets/<ticket_id>/fulfil", methods=["POST"])
@token_required(ApiRole.OFFICE, "tickets:fulfil")
@json_object_body
@blp.arguments(FulfilRequestSchema, error_status_code=400)
@blp.response(200, TicketSchema, description="The ticket, now done; the number works on the new SIM.")
@document_errors(401, 403, 404, 409, 413, 429)
@blp.doc(security=SECURITY)
def fulfil_ticket(body: dict[str, Any], ticket_id: str) -> dict[str, Any] | None:
    """Hand over the new SIM to the holder of the passport shown: the number moves onto it."""
    client = current_client()
    if not client.region:
        raise ApiError(403, "PERMISSION_DENIED", "An office client needs a region to fulfil tickets.")
    try:
        ticket = tickets.fulfil(
            db.session,
            _parse_id(ticket_id),
            body["iccid"],
            passport=body["passport"],
            pii_key=current_app.config["PII_KEY"],
            region=client.region,
            actor=Actor.api_client(client, request.remote_addr),
            now=clock.now(),
            cooling_hours=policy().reissue_cooling_hours,
        )
        db.session.commit()
    except tickets.TicketNotFound:
        db.session.rollback()
        raise _not_found() from None
    except tickets.WrongPassport:
        # The use-case has already committed the count and the audit row.
        db.session.rollback()
        raise ApiError(
            403, "PERMISSION_DENIED", "The passport does not match the subscriber's record."
        ) from None
    except tickets.FulfilmentLocked as locked:
        db.session.rollback()
        wait = tickets.FULFIL_LOCK_HOURS * 3600
        if locked.until is not None:
            wait = max(1, math.ceil((locked.until - clock.now()).total_seconds()))
        raise ApiError(
            429,
            "TOO_MANY_REQUESTS",
            "Too many wrong passports for this ticket: its hand-over is locked; retry later.",
            headers={"Retry-After": str(wait)},
        ) from None
    except tickets.WrongRegion:
        db.session.rollback()
        raise ApiError(403, "PERMISSION_DENIED", "This ticket belongs to another region's offices.") from None
    except tickets.TicketNotOpen:
        db.session.rollback()
        raise ApiError(
            409, "CONFLICT", "The ticket is no longer open: it was fulfilled or cancelled."
        ) from None
    except SimNotInInventory:
        db.session.rollback()
        raise ApiError(409, "CONFLICT", "This ICCID is not a card of the SIM inventory.") from None
    except tickets.IccidInUse:
        db.session.rollback()
        raise ApiError(409, "CONFLICT", "This ICCID belongs to another SIM card.") from None
    except InvalidIccid as exc:
        db.session.rollback()
        raise ApiError(400, "INVALID_ARGUMENT", f"iccid: {exc}.") from None
    return _ticket_body(ticket)
