"""Request and response bodies of the CAMARA APIs, named as in the CAMARA documents.

The class names are the CAMARA component names (``CreateCheckSimSwap``,
``KYC_MatchResponse`` …), so the OpenAPI document generated from them reads
like the published one and the Gherkin scenarios' schema references resolve.
Unknown properties are refused (400 INVALID_ARGUMENT), as CAMARA now requires.
"""

from __future__ import annotations

import marshmallow as ma

from recovery.camara.common import phone_number_field
from recovery.camara.services import DEFAULT_MAX_AGE_HOURS, MAX_MAX_AGE_HOURS, MIN_MAX_AGE_HOURS


class CreateSimSwapDate(ma.Schema):
    """Body of ``retrieve-date``."""

    phoneNumber = phone_number_field()


class CreateCheckSimSwap(ma.Schema):
    """Body of ``check``."""

    phoneNumber = phone_number_field()
    # The range is checked by the view: above it CAMARA answers OUT_OF_RANGE, not INVALID_ARGUMENT.
    maxAge = ma.fields.Integer(
        strict=True,
        load_default=DEFAULT_MAX_AGE_HOURS,
        metadata={
            "description": "Period in hours to be checked for SIM swap "
            f"({MIN_MAX_AGE_HOURS}–{MAX_MAX_AGE_HOURS}; outside it: 400 OUT_OF_RANGE).",
            "format": "int32",
            "minimum": MIN_MAX_AGE_HOURS,
            "maximum": MAX_MAX_AGE_HOURS,
            "example": DEFAULT_MAX_AGE_HOURS,
        },
    )


class SimSwapInfo(ma.Schema):
    """Answer of ``retrieve-date``."""

    latestSimChange = ma.fields.AwareDateTime(
        required=True,
        allow_none=True,
        metadata={
            "description": "When the number last moved to a new SIM (RFC 3339, UTC); the activation "
            "of its SIM when it never changed; null when the number has no SIM.",
            "example": "2026-11-20T15:00:00+00:00",
        },
    )
    monitoredPeriod = ma.fields.Integer(
        metadata={
            "description": "Days of history consulted when latestSimChange is null for lack of history. "
            "Never returned here: the operator keeps the whole SIM history.",
            "format": "int32",
        }
    )


class CheckSimSwapInfo(ma.Schema):
    """Answer of ``check``."""

    swapped = ma.fields.Boolean(
        required=True,
        metadata={"description": "Whether the SIM changed during the last maxAge hours."},
    )
