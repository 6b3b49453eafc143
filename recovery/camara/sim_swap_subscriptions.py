"""CAMARA SIM Swap Subscriptions v0.3: ``/camara/sim-swap-subscriptions/v0.3/subscriptions``.

A bank subscribes to a number and hears, at its ``sink``, the moment the
number moves to a new SIM (the office hand-over, ``claims.tickets.fulfil``)
instead of polling SIM Swap. Events are queued in the hand-over's transaction
and delivered by the worker (``recovery.camara.events``, ``recovery.camara.sinks``).

A subscription names a number, not a subscriber: one for a number that is not
ours is accepted exactly like one for a number that is (the same checks, the
same statements, the same answer) and never fires. Each partner client sees
and deletes only its own subscriptions; another client's id is 404.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select

from recovery import clock
from recovery.api.auth import current_client, token_required
from recovery.api.errors import ApiError, json_object_body
from recovery.camara import common, event_delivery, events
from recovery.camara.sinks import InvalidSink, check_sink
from recovery.camara.subscription_schemas import EXAMPLE_NUMBER, Subscription, SubscriptionRequest
from recovery.extensions import db
from recovery.models import ApiRole, SimSwapSubscription, SubscriptionState
from recovery.observability.outboxes import Outbox, register_outbox

blp = common.camara_blueprint(
    "SIM Swap Subscriptions",
    __name__,
    url_prefix="/camara/sim-swap-subscriptions/v0.3",
    description="CAMARA SIM Swap Subscriptions v0.3: a CloudEvent at the partner's sink when a number "
    "moves to a new SIM. Partner tokens with the scopes "
    "sim-swap-subscriptions:org.camaraproject.sim-swap-subscriptions.v0.swapped:create, "
    "sim-swap-subscriptions:read and sim-swap-subscriptions:delete.",
)

CREATE_SCOPE = "sim-swap-subscriptions:org.camaraproject.sim-swap-subscriptions.v0.swapped:create"
READ_SCOPE = "sim-swap-subscriptions:read"
DELETE_SCOPE = "sim-swap-subscriptions:delete"
#: Longer ids are not looked up (ours are UUIDs).
MAX_ID_LENGTH = 36

INVALID_PROTOCOL = (400, "INVALID_PROTOCOL", "Only HTTP is supported.")
INVALID_CREDENTIAL = (400, "INVALID_CREDENTIAL", "Only Access token is supported.")
INVALID_TOKEN = (400, "INVALID_TOKEN", "Only bearer token is supported.")
INVALID_SINK = (400, "INVALID_SINK", "sink not valid for the specified protocol.")
NOT_FOUND = (404, "NOT_FOUND", "The specified resource is not found.")
TOO_MANY = (429, "TOO_MANY_REQUESTS", "Too many active subscriptions for this client; delete some first.")
#: The errors of every operation here (no 404 IDENTIFIER_NOT_FOUND: numbers are never looked up).
BASE_ERRORS = tuple(
    e for e in common.COMMON_ERRORS if e[1] not in ("IDENTIFIER_NOT_FOUND", "MISSING_IDENTIFIER")
)
CREATE_ERRORS = (
    *BASE_ERRORS,
    INVALID_PROTOCOL,
    INVALID_CREDENTIAL,
    INVALID_TOKEN,
    INVALID_SINK,
    (422, common.MISSING_IDENTIFIER, "No phone number has been provided."),
    TOO_MANY,
)
ID_ERRORS = (*BASE_ERRORS, NOT_FOUND)

EXAMPLE_REQUEST = {
    "protocol": "HTTP",
    "sink": "https://endpoint.example.com/sink",
    "types": [events.SWAPPED_TYPE],
    "config": {"subscriptionDetail": {"phoneNumber": EXAMPLE_NUMBER}, "subscriptionMaxEvents": 5},
}


def _error(error: tuple[int, str, str], message: str | None = None) -> ApiError:
    status, code, default = error
    return ApiError(status, code, message or default)


def subscription_operation(scope: str, *, body: bool = False) -> Callable:
    """The partner rate limit, a partner token with ``scope``, (a JSON object body,) ``x-correlator``."""

    def decorator(view: Callable) -> Callable:
        # Refused as 400 INVALID_ARGUMENT (recovery.api.errors), so documented as 400, not 422.
        view = blp.arguments(
            common.XCorrelatorHeader, location="headers", arg_name="headers", error_status_code=400
        )(view)
        if body:
            view = json_object_body(view)
        view = token_required(ApiRole.PARTNER, scope)(view)
        return common.partner_rate_limit(view)

    return decorator


def _allow_private() -> bool:
    return bool(current_app.config.get("SUBSCRIPTION_SINKS_ALLOW_PRIVATE", False))


def _check_credential(credential: dict[str, Any] | None, now: Any) -> tuple[str | None, Any]:
    """The sink's token and its expiry, or the CAMARA error of a credential we do not take."""
    if credential is None:
        return None, None
    if credential["credentialType"] != "ACCESSTOKEN":
        raise _error(INVALID_CREDENTIAL)
    if credential.get("accessTokenType") != "bearer":
        raise _error(INVALID_TOKEN)
    token, expires = credential["accessToken"], credential["accessTokenExpiresUtc"]
    if expires <= now:
        raise ApiError(400, "INVALID_ARGUMENT", "sinkCredential.accessTokenExpiresUtc is in the past.")
    return token, expires


def as_camara(subscription: SimSwapSubscription) -> dict[str, Any]:
    """The subscription's CAMARA shape: never its credential."""
    config: dict[str, Any] = {"subscriptionDetail": {"phoneNumber": subscription.msisdn}}
    if subscription.expires_at is not None:
        config["subscriptionExpireTime"] = subscription.expires_at
    if subscription.max_events is not None:
        config["subscriptionMaxEvents"] = subscription.max_events
    body: dict[str, Any] = {
        "id": subscription.id,
        "protocol": "HTTP",
        "sink": subscription.sink,
        "types": [events.SWAPPED_TYPE],
        "config": config,
        "startsAt": subscription.starts_at,
        "status": _status(subscription),
    }
    if subscription.expires_at is not None:
        body["expiresAt"] = subscription.expires_at
    return body


def _status(subscription: SimSwapSubscription) -> str:
    if subscription.state is SubscriptionState.ACTIVE:
        return "ACTIVE"
    if subscription.state is SubscriptionState.DELETED:
        return "DELETED"
    if subscription.termination_reason == events.SUBSCRIPTION_EXPIRED:
        return "EXPIRED"
    return "INACTIVE"


def _own(subscription_id: str, *, lock: bool = False) -> SimSwapSubscription:
    """The calling client's subscription of that id (not deleted), or 404 (another client's too).

    ``lock`` holds the row (PostgreSQL) until the commit: of two deletes one ends
    it and the other finds it deleted, and a hand-over in between waits its turn.
    """
    if len(subscription_id) > MAX_ID_LENGTH:
        raise _error(NOT_FOUND)
    query = select(SimSwapSubscription).where(
        SimSwapSubscription.id == subscription_id,
        SimSwapSubscription.client_id == current_client().id,
        SimSwapSubscription.state != SubscriptionState.DELETED,
    )
    subscription = db.session.scalar(query.with_for_update() if lock else query)
    if subscription is None:
        raise _error(NOT_FOUND)
    return subscription


@blp.route("/subscriptions", methods=["POST"])
@subscription_operation(CREATE_SCOPE, body=True)
@blp.arguments(SubscriptionRequest, example=EXAMPLE_REQUEST, error_status_code=400)
@blp.response(
    201,
    Subscription,
    description="Created: the subscription (without its sink credential).",
    headers=common.X_CORRELATOR_RESPONSE_HEADER,
)
@common.document_errors(blp, CREATE_ERRORS)
def create(body: dict[str, Any], headers: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Create a SIM swap event subscription for a phone number.

    Only protocol HTTP, one event type (swapped), an https sink on a public
    address and, optionally, an ACCESSTOKEN bearer credential that we send as
    ``Authorization: Bearer`` with each event. A number that is not ours is
    accepted like any other and never fires. Scope:
    sim-swap-subscriptions:org.camaraproject.sim-swap-subscriptions.v0.swapped:create.
    """
    now = clock.now()
    if body["protocol"] != "HTTP":
        raise _error(INVALID_PROTOCOL)
    try:
        sink = check_sink(body["sink"], allow_private=_allow_private())
    except InvalidSink as refused:
        raise _error(INVALID_SINK, f"sink not valid for the specified protocol: {refused}.") from None
    token, token_expires = _check_credential(body.get("sinkCredential"), now)
    config = body["config"]
    expires = config.get("subscriptionExpireTime")
    if expires is not None and expires <= now:
        raise ApiError(400, "INVALID_ARGUMENT", "config.subscriptionExpireTime is in the past.")
    phone_number = config["subscriptionDetail"].get("phoneNumber")
    if phone_number is None:
        raise common.missing_identifier()
    client = current_client()
    active = db.session.scalar(
        select(func.count(SimSwapSubscription.id)).where(
            SimSwapSubscription.client_id == client.id, SimSwapSubscription.state == SubscriptionState.ACTIVE
        )
    )
    if active >= int(current_app.config.get("MAX_SUBSCRIPTIONS_PER_CLIENT", 1000)):
        raise _error(TOO_MANY)
    subscription = SimSwapSubscription(
        id=str(uuid.uuid4()),
        client_id=client.id,
        msisdn=phone_number,
        sink=sink,
        sink_token=token,
        sink_token_expires_at=token_expires,
        max_events=config.get("subscriptionMaxEvents"),
        events_sent=0,
        state=SubscriptionState.ACTIVE,
        starts_at=now,
        expires_at=expires,
    )
    db.session.add(subscription)
    common.audit_lookup(
        "camara.sim_swap_subscriptions.create",
        phone_number,
        subscription_id=subscription.id,
        sink_host=urlsplit(sink).hostname,
        credential=token is not None,
    )
    db.session.commit()
    return as_camara(subscription), 201


@blp.route("/subscriptions", methods=["GET"])
@subscription_operation(READ_SCOPE)
@blp.response(
    200,
    Subscription(many=True),
    description="The calling client's active subscriptions, oldest first.",
    headers=common.X_CORRELATOR_RESPONSE_HEADER,
)
@common.document_errors(blp, BASE_ERRORS)
def list_subscriptions(headers: dict[str, Any]) -> list[dict[str, Any]]:
    """Retrieve the calling client's active SIM swap event subscriptions.

    Only this client's own, and only the active ones (an ended one is still
    there by its id until deleted). Scope: sim-swap-subscriptions:read.
    """
    rows = db.session.scalars(
        select(SimSwapSubscription)
        .where(
            SimSwapSubscription.client_id == current_client().id,
            SimSwapSubscription.state == SubscriptionState.ACTIVE,
        )
        .order_by(SimSwapSubscription.starts_at, SimSwapSubscription.id)
    ).all()
    return [as_camara(row) for row in rows]


@blp.route("/subscriptions/<string:subscriptionId>", methods=["GET"])
@subscription_operation(READ_SCOPE)
@blp.response(200, Subscription, description="The subscription.", headers=common.X_CORRELATOR_RESPONSE_HEADER)
@common.document_errors(blp, ID_ERRORS)
def get_subscription(headers: dict[str, Any], subscriptionId: str) -> dict[str, Any]:
    """Retrieve one of the calling client's subscriptions by id.

    Another client's id, a deleted one and an unknown one are all 404 NOT_FOUND.
    Scope: sim-swap-subscriptions:read.
    """
    return as_camara(_own(subscriptionId))


@blp.route("/subscriptions/<string:subscriptionId>", methods=["DELETE"])
@subscription_operation(DELETE_SCOPE)
@blp.response(
    204,
    description="Deleted; a subscription-ended event follows.",
    headers=common.X_CORRELATOR_RESPONSE_HEADER,
)
@common.document_errors(blp, ID_ERRORS)
def delete_subscription(headers: dict[str, Any], subscriptionId: str) -> tuple[str, int]:
    """Delete one of the calling client's subscriptions.

    An active one gets a ``subscription-ended`` event (terminationReason
    SUBSCRIPTION_DELETED) at its sink. Scope: sim-swap-subscriptions:delete.
    """
    subscription = _own(subscriptionId, lock=True)
    events.delete(db.session, subscription, clock.now())
    common.audit_lookup(
        "camara.sim_swap_subscriptions.delete", subscription.msisdn, subscription_id=subscription.id
    )
    db.session.commit()
    return "", 204


register_outbox(Outbox("subscription_events", lambda session: event_delivery.backlog(session, clock.now())))
