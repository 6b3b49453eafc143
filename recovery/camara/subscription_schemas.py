"""Bodies of CAMARA SIM Swap Subscriptions v0.3, named as the published components.

Rules whose refusal has its own CAMARA code are checked by the view, not here,
so that they answer that code: a ``protocol`` other than HTTP is
``INVALID_PROTOCOL``, a ``credentialType`` other than ACCESSTOKEN
``INVALID_CREDENTIAL``, an ``accessTokenType`` other than bearer
``INVALID_TOKEN``, a sink we do not deliver to ``INVALID_SINK``. The document
still shows the published enums and the ``https`` pattern.
"""

from __future__ import annotations

import marshmallow as ma

from recovery.camara.common import FullMatch, phone_number_field
from recovery.camara.events import SWAPPED_TYPE
from recovery.camara.sinks import MAX_SINK_LENGTH

PROTOCOLS = ["HTTP", "MQTT3", "MQTT5", "AMQP", "NATS", "KAFKA"]
CREDENTIAL_TYPES = ["PLAIN", "ACCESSTOKEN", "REFRESHTOKEN"]
STATUSES = ["ACTIVATION_REQUESTED", "ACTIVE", "EXPIRED", "INACTIVE", "DELETED"]
#: Any absolute URL's shape (scheme://…); which ones we deliver to is the view's rule (INVALID_SINK).
URL_PATTERN = r"^[A-Za-z][A-Za-z0-9+.\-]*://.+$"
#: An OAuth bearer token's characters (RFC 6750 b64token): nothing that could break the header.
TOKEN_PATTERN = r"^[A-Za-z0-9\-._~+/]+=*$"  # noqa: S105 — a pattern, no secret
MAX_TOKEN_LENGTH = 4096
#: The largest ``subscriptionMaxEvents`` (int32).
MAX_EVENTS = 2**31 - 1
EXAMPLE_NUMBER = "+79161234567"


def _sink_field(**kwargs: object) -> ma.fields.String:
    return ma.fields.String(
        validate=[
            ma.validate.Length(max=MAX_SINK_LENGTH),
            FullMatch(URL_PATTERN, error="sink must be a URL."),
        ],
        metadata={
            "description": "The address to which events are delivered (HTTPS, a public address).",
            "format": "uri",
            "pattern": r"^https:\/\/.+$",
            "example": "https://endpoint.example.com/sink",
        },
        **kwargs,
    )


def _types_field(**kwargs: object) -> ma.fields.List:
    return ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf([SWAPPED_TYPE])),
        validate=ma.validate.Length(min=1, max=1),
        metadata={"description": f"Exactly one event type: {SWAPPED_TYPE}."},
        **kwargs,
    )


def _protocol_field(**kwargs: object) -> ma.fields.String:
    return ma.fields.String(
        metadata={
            "description": "Delivery protocol; only HTTP is served (others: 400 INVALID_PROTOCOL).",
            "enum": PROTOCOLS,
            "example": "HTTP",
        },
        **kwargs,
    )


class CreateSubscriptionDetail(ma.Schema):
    """The number the subscription is about (required with our two-legged tokens)."""

    phoneNumber = phone_number_field()


class Config(ma.Schema):
    """The subscription's detail and its optional limits."""

    subscriptionDetail = ma.fields.Nested(CreateSubscriptionDetail, required=True)
    subscriptionExpireTime = ma.fields.AwareDateTime(
        metadata={
            "description": "When the subscription ends (RFC 3339 with a time zone; in the future).",
            "example": "2027-01-17T13:18:23.682Z",
        }
    )
    subscriptionMaxEvents = ma.fields.Integer(
        strict=True,
        validate=ma.validate.Range(min=1, max=MAX_EVENTS),
        metadata={"description": "The subscription ends after this many events.", "example": 5},
    )


class SinkCredential(ma.Schema):
    """How we authenticate to the sink: only an ACCESSTOKEN of type bearer, sent as ``Authorization``.

    The access token's three properties are required (as in the published
    AccessTokenCredential). Stored encrypted and never returned.
    """

    credentialType = ma.fields.String(
        required=True,
        metadata={
            "description": "Only ACCESSTOKEN is accepted (others: 400 INVALID_CREDENTIAL).",
            "enum": CREDENTIAL_TYPES,
        },
    )
    accessToken = ma.fields.String(
        required=True,
        validate=[
            ma.validate.Length(min=1, max=MAX_TOKEN_LENGTH),
            FullMatch(TOKEN_PATTERN, error="accessToken must be a bearer token."),
        ],
        metadata={"description": "The token we send as 'Authorization: Bearer …' to the sink."},
    )
    accessTokenExpiresUtc = ma.fields.AwareDateTime(
        required=True,
        metadata={
            "description": "When the token expires (the subscription ends then: ACCESS_TOKEN_EXPIRED)."
        },
    )
    accessTokenType = ma.fields.String(
        required=True,
        metadata={"description": "Only bearer (others: 400 INVALID_TOKEN).", "enum": ["bearer"]},
    )
    identifier = ma.fields.String(metadata={"description": "PLAIN credentials are not accepted."})
    secret = ma.fields.String(metadata={"description": "PLAIN credentials are not accepted."})
    refreshToken = ma.fields.String(metadata={"description": "REFRESHTOKEN credentials are not accepted."})
    refreshTokenEndpoint = ma.fields.String(
        metadata={"description": "REFRESHTOKEN credentials are not accepted."}
    )


class SubscriptionRequest(ma.Schema):
    """Body of ``createSimSwapSubscription``."""

    protocol = _protocol_field(required=True)
    sink = _sink_field(required=True)
    sinkCredential = ma.fields.Nested(SinkCredential)
    types = _types_field(required=True)
    config = ma.fields.Nested(Config, required=True)


class Subscription(ma.Schema):
    """A subscription as the partner sees it (never its sink credential)."""

    protocol = ma.fields.String(required=True, metadata={"enum": PROTOCOLS})
    sink = ma.fields.String(
        required=True, metadata={"format": "uri", "example": "https://endpoint.example.com/sink"}
    )
    types = ma.fields.List(
        ma.fields.String(metadata={"enum": [SWAPPED_TYPE]}),
        required=True,
        metadata={"minItems": 1, "maxItems": 1},
    )
    config = ma.fields.Nested(Config, required=True)
    id = ma.fields.String(required=True, metadata={"description": "The subscriptionId."})
    startsAt = ma.fields.AwareDateTime(metadata={"description": "When the subscription began."})
    expiresAt = ma.fields.AwareDateTime(
        metadata={"description": "When it expires; only when subscriptionExpireTime was given."}
    )
    status = ma.fields.String(metadata={"enum": STATUSES})
