"""The request and response schemas of the claims API (``recovery.api.claims``): the contract.

The OpenAPI document is built from them; whatever they admit is answered with
a decision (a number that is not ours is ``rejected``, never 400).
"""

from __future__ import annotations

import re

import marshmallow as ma

from recovery.models import Action
from recovery.regions import all_regions
from recovery.verification.settings import MAX_CLAIMED_CALLS

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
    reference = ma.fields.String(
        required=True,
        metadata={
            "description": "What the subscriber and staff read and type (no look-alike characters); "
            "the id stays internal.",
            "example": "R-7K4M-2Q9",
        },
    )
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


#: The example request shown in the API reference.
CLAIM_EXAMPLE = {
    "phoneNumber": "8 916 123-45-67",
    "fullName": "Иванов Иван Иванович",
    "passport": "4509 123456",
    "registeredAddress": "г. Москва, ул. Ленина, д. 5, кв. 12",
    "recentCalls": ["+79031112233", "8 925 444 55 66", "84951234567"],
    "currentRegion": "RU-MOW",
    "action": "reissue",
}
