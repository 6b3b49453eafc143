"""Claims and tickets for call-centre and office software (DESIGN 3.2), under ``/api/v1``.

* ``POST /claims`` (agent, ``claims:write``): the same claim as the wizard and
  the console, with the verification detail an agent may see (matched or not,
  never a stored value). 201 with a new ticket or none; 200 when an open
  reissue ticket is returned instead of a new one.
* ``GET /claims/{id}`` (agent, ``claims:read``) and ``GET /tickets/{id}``
  (agent with ``tickets:read``, or an office client of the ticket's region).
* ``POST /tickets/{id}/fulfil`` (office with a region, ``tickets:fulfil``):
  the new SIM's ICCID; a ticket of another region is 403, a ticket closed in
  the meantime (a concurrent fulfilment) is 409.

Ids are random UUIDs. Any malformed request is a 4xx in the error shape of
``recovery.api.errors``, never a 500.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

import marshmallow as ma
from flask import g, request
from flask_smorest import Blueprint

from recovery.api.auth import BEARER_SCHEME, authenticate, current_client, token_required
from recovery.api.errors import ApiError
from recovery.claims import tickets
from recovery.claims.actors import Actor
from recovery.claims.boundary import policy, render_messages, run_claim
from recovery.claims.submit import ClaimRequest, ClaimResult, InvalidClaim, stored_messages
from recovery.extensions import db
from recovery.iccid import InvalidIccid, normalise_iccid
from recovery.models import Action, ApiRole, Claim, Subscriber, Ticket
from recovery.models.types import utcnow
from recovery.passports import InvalidPassport, normalise_passport
from recovery.phones import InvalidPhoneNumber, to_e164
from recovery.regions import is_region
from recovery.verification.settings import MAX_CLAIMED_CALLS

blp = Blueprint(
    "claims_api",
    __name__,
    url_prefix="/api/v1",
    description="Lost-SIM claims (agents) and reissue tickets (agents read, offices fulfil).",
)
SECURITY = [{BEARER_SCHEME: []}]


# --- Validation --------------------------------------------------------------------------------


def _phone(value: str) -> None:
    try:
        to_e164(value)
    except InvalidPhoneNumber:
        raise ma.ValidationError("Not a valid phone number.") from None


def _passport(value: str) -> None:
    try:
        normalise_passport(value)
    except InvalidPassport:
        raise ma.ValidationError("A passport is a 4-digit series and a 6-digit number.") from None


def _region(value: str) -> None:
    if not is_region(value):
        raise ma.ValidationError("Not an ISO 3166-2:RU region code, e.g. RU-MOW.")


def _not_in_future(value: datetime) -> None:
    if value > datetime.now(UTC):
        raise ma.ValidationError("lostAt must not be in the future.")


def _iccid(value: str) -> None:
    try:
        normalise_iccid(value)
    except InvalidIccid as exc:
        raise ma.ValidationError(str(exc)) from None


class ClaimRequestSchema(ma.Schema):
    """A claim typed by an agent's software (DESIGN 3.2)."""

    class Meta:
        unknown = ma.RAISE

    phoneNumber = ma.fields.String(required=True, validate=[ma.validate.Length(1, 32), _phone])
    fullName = ma.fields.String(required=True, validate=ma.validate.Length(1, 200))
    passport = ma.fields.String(required=True, validate=[ma.validate.Length(1, 40), _passport])
    registeredAddress = ma.fields.String(load_default="", validate=ma.validate.Length(max=300))
    recentCalls = ma.fields.List(
        ma.fields.String(validate=[ma.validate.Length(1, 32), _phone]),
        load_default=list,
        validate=ma.validate.Length(max=MAX_CLAIMED_CALLS),
    )
    currentRegion = ma.fields.String(required=True, validate=_region)
    action = ma.fields.String(required=True, validate=ma.validate.OneOf([a.value for a in Action]))
    lostAt = ma.fields.AwareDateTime(load_default=None, validate=_not_in_future)


class FulfilRequestSchema(ma.Schema):
    """The ICCID printed on the new SIM card."""

    class Meta:
        unknown = ma.RAISE

    iccid = ma.fields.String(required=True, validate=[ma.validate.Length(1, 40), _iccid])


class TicketSchema(ma.Schema):
    """A ticket: a block (done at once) or a reissue for the home region's offices."""

    id = ma.fields.UUID(required=True)
    type = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    region = ma.fields.String(required=True)


class VerificationSchema(ma.Schema):
    """Which answers matched; never the stored values."""

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
    verification = ma.fields.Nested(VerificationSchema, required=True)
    messages = ma.fields.List(ma.fields.String(), required=True)


# --- Helpers -----------------------------------------------------------------------------------


def json_object_body(view: Callable) -> Callable:
    """Refuse a missing or non-object body with 400 (webargs would read it as ``{}``)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not isinstance(request.get_json(silent=True), dict):
            raise ApiError(400, "INVALID_ARGUMENT", "The request body must be a JSON object.")
        return view(*args, **kwargs)

    return wrapped


def _ticket_reader(view: Callable) -> Callable:
    """An agent client with ``tickets:read``, or an office client (its region's tickets only)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        client = authenticate()
        allowed = client.role in (ApiRole.AGENT, ApiRole.OFFICE) and "tickets:read" in client.scope_set
        if not allowed or (client.role is ApiRole.OFFICE and not client.region):
            raise ApiError(
                403,
                "PERMISSION_DENIED",
                "Client does not have sufficient permissions to perform this action.",
            )
        g.api_client = client
        return view(*args, **kwargs)

    return wrapped


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


def _claim_body(claim: Claim) -> dict[str, Any]:
    """The response body of a claim, the same whether just made or read back."""
    checks = claim.verification or {}
    subscriber = db.session.get(Subscriber, claim.subscriber_id) if claim.subscriber_id else None
    return {
        "claimId": claim.id,
        "outcome": claim.outcome.value,
        "homeRegion": subscriber.home_region if subscriber is not None else None,
        "ticket": _ticket_body(claim.ticket),
        "verification": {
            "name": checks.get("name") == "true",
            "passport": checks.get("passport") == "true",
            "address": checks.get("address") == "true",
            "callsMatched": checks.get("callsMatched", 0),
            "callsRequired": checks.get("callsRequired", policy().calls.calls_required),
            "postLossActivity": checks.get("postLossActivity", 0),
        },
        "messages": render_messages(stored_messages(claim)),
    }


def _parse_id(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise _not_found() from None


# --- Endpoints ---------------------------------------------------------------------------------


@blp.route("/claims", methods=["POST"])
@token_required(ApiRole.AGENT, "claims:write")
@json_object_body
@blp.arguments(ClaimRequestSchema)
@blp.response(201, ClaimResponseSchema, description="The claim, with a new ticket or none.")
@blp.alt_response(
    200, schema=ClaimResponseSchema, description="The claim, answered with the open reissue ticket."
)
@blp.doc(security=SECURITY)
def create_claim(body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Report a lost SIM for a caller: verify, decide, block and open or return a ticket."""
    claim_request = ClaimRequest(
        msisdn=body["phoneNumber"],
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
    except InvalidClaim as exc:
        db.session.rollback()
        raise ApiError(400, "INVALID_ARGUMENT", str(exc)) from None
    db.session.commit()
    status = 200 if result.ticket is not None and not result.ticket_created else 201
    location = f"{request.script_root}/api/v1/claims/{result.claim.id}"
    return _claim_body(result.claim), status, {"Location": location}


@blp.route("/claims/<claim_id>", methods=["GET"])
@token_required(ApiRole.AGENT, "claims:read")
@blp.response(200, ClaimResponseSchema)
@blp.doc(security=SECURITY)
def get_claim(claim_id: str) -> dict[str, Any]:
    """A claim's decision, as it was answered."""
    claim = db.session.get(Claim, _parse_id(claim_id))
    if claim is None:
        raise _not_found()
    return _claim_body(claim)


@blp.route("/tickets/<ticket_id>", methods=["GET"])
@_ticket_reader
@blp.response(200, TicketSchema)
@blp.doc(security=SECURITY)
def get_ticket(ticket_id: str) -> dict[str, Any] | None:
    """A ticket's type, status and region."""
    client = current_client()
    region = client.region if client.role is ApiRole.OFFICE else None
    try:
        ticket = tickets.get_ticket(db.session, _parse_id(ticket_id), region)
    except tickets.TicketNotFound:
        raise _not_found() from None
    except tickets.WrongRegion:
        raise ApiError(403, "PERMISSION_DENIED", "This ticket belongs to another region's offices.") from None
    return _ticket_body(ticket)


@blp.route("/tickets/<ticket_id>/fulfil", methods=["POST"])
@token_required(ApiRole.OFFICE, "tickets:fulfil")
@json_object_body
@blp.arguments(FulfilRequestSchema)
@blp.response(200, TicketSchema, description="The ticket, now done; the number works on the new SIM.")
@blp.doc(security=SECURITY)
def fulfil_ticket(body: dict[str, Any], ticket_id: str) -> dict[str, Any] | None:
    """Hand over the new SIM (after seeing the passport in person): the number moves onto it."""
    client = current_client()
    if not client.region:
        raise ApiError(403, "PERMISSION_DENIED", "An office client needs a region to fulfil tickets.")
    try:
        ticket = tickets.fulfil(
            db.session,
            _parse_id(ticket_id),
            body["iccid"],
            region=client.region,
            actor=Actor.api_client(client, request.remote_addr),
            now=utcnow(),
            cooling_hours=policy().reissue_cooling_hours,
        )
        db.session.commit()
    except tickets.TicketNotFound:
        db.session.rollback()
        raise _not_found() from None
    except tickets.WrongRegion:
        db.session.rollback()
        raise ApiError(403, "PERMISSION_DENIED", "This ticket belongs to another region's offices.") from None
    except tickets.TicketNotOpen:
        db.session.rollback()
        raise ApiError(
            409, "CONFLICT", "The ticket is no longer open: it was fulfilled or cancelled."
        ) from None
    except tickets.IccidInUse:
        db.session.rollback()
        raise ApiError(409, "CONFLICT", "This ICCID belongs to another SIM card.") from None
    return _ticket_body(ticket)
