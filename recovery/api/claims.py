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
import uuid
from collections.abc import Callable
from typing import Any

from flask import current_app, request
from flask_smorest import Blueprint

from recovery import clock
from recovery.api import ErrorInfo
from recovery.api.auth import BEARER_SCHEME, current_client, token_required
from recovery.api.claim_schemas import (
    CLAIM_EXAMPLE,
    ClaimRequestSchema,
    ClaimResponseSchema,
    FulfilRequestSchema,
    TicketSchema,
    mobile_e164,
)
from recovery.api.errors import ApiError, json_object_body
from recovery.claims import tickets
from recovery.claims.actors import Actor
from recovery.claims.boundary import policy, render_messages, run_claim
from recovery.claims.ceiling import TooManyFailedNumbers
from recovery.claims.records import stored_messages, stored_summary
from recovery.claims.submit import ClaimRequest, ClaimResult, InvalidClaim, LossTimeOutOfRange
from recovery.extensions import db
from recovery.iccid import InvalidIccid
from recovery.models import Action, ApiRole, Claim, Outcome, Subscriber, Ticket
from recovery.network.inventory import SimNotInInventory
from recovery.security.ratelimit import api_limits, claim_limits
from recovery.verification import Message

blp = Blueprint(
    "claims_api",
    __name__,
    url_prefix="/api/v1",
    description="Lost-SIM claims (agents) and reissue tickets (agents read, offices fulfil).",
)
api_limits(blp)
SECURITY = [{BEARER_SCHEME: []}]


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


def _not_found() -> ApiError:
    return ApiError(404, "NOT_FOUND", "The specified resource is not found.")


def _ticket_body(ticket: Ticket | None) -> dict[str, Any] | None:
    if ticket is None:
        return None
    return {
        "id": ticket.id,
        "reference": ticket.reference,
        "type": ticket.type.value,
        "status": ticket.status.value,
        "region": ticket.region,
    }


def _verified(claim: Claim) -> bool:
    # Only a claim that proved the identity learns the home region: a rejected or locked one is
    # answered the same whether the number is ours or not (no oracle, no extra query).
    return claim.outcome in (Outcome.BLOCK, Outcome.REISSUE) and claim.subscriber_id is not None


def _claim_body(
    claim: Claim,
    home_region: str | None,
    ticket: Ticket | None,
    summary: dict[str, bool | int],
    messages: tuple[Message, ...],
) -> dict[str, Any]:
    """The response body of a claim, the same whether just made or read back.

    ``home_region`` (the subscriber's) and ``summary`` (which answers matched)
    are told only for a claim that proved name and passport: a rejected or
    locked claim tells nothing per answer, since ``address: true`` or
    ``callsMatched: 2`` on a wrong passport would tell a subscriber from a
    stranger, and how the subscriber uses the phone. ``ticket`` is the claim's
    (passed in: the objects in hand, no lazy load).
    """
    verified = _verified(claim)
    return {
        "claimId": claim.id,
        "outcome": claim.outcome.value,
        "homeRegion": home_region if verified else None,
        "ticket": _ticket_body(ticket),
        "verification": summary if verified else None,
        "messages": render_messages(messages),
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
    # The answer is built from the objects in hand: after the commit they would be read back.
    body = _claim_body(
        result.claim,
        result.home_region,
        result.ticket,
        result.verification.summary(),
        result.decision.messages,
    )
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
    return _claim_body(
        claim,
        subscriber.home_region if subscriber is not None else None,
        claim.ticket,
        stored_summary(claim, policy().calls.calls_required),
        stored_messages(claim),
    )


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
