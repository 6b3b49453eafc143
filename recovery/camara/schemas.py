"""Request and response bodies of the CAMARA APIs, named as in the CAMARA documents.

The class names are the CAMARA component names (``CreateCheckSimSwap``,
``KYC_MatchResponse`` …), so the OpenAPI document generated from them reads
like the published one and the Gherkin scenarios' schema references resolve.
Unknown properties are refused (400 INVALID_ARGUMENT), as CAMARA now requires.
"""

from __future__ import annotations

import marshmallow as ma

from recovery.camara.common import FullMatch, phone_number_field

# The bands live with the rule that makes them (no Flask there).
from recovery.camara.services import DEFAULT_MAX_AGE_HOURS, MAX_MAX_AGE_HOURS, MIN_MAX_AGE_HOURS, SCORE_BANDS
from recovery.models import ContractType


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


# --- KYC Match v0.4 ------------------------------------------------------------------------------

#: CAMARA ``idDocumentType`` values.
ID_DOCUMENT_TYPES = (
    "passport",
    "national_id_card",
    "residence_permit",
    "diplomatic_id",
    "driver_licence",
    "social_security_id",
    "other",
)
GENDERS = ("MALE", "FEMALE", "OTHER")
COUNTRY_PATTERN = r"^[A-Za-z]{2}$"


def _text(max_length: int, description: str, example: str | None = None) -> ma.fields.String:
    """A free-text KYC property; lengths as in the current CAMARA draft, so bodies stay bounded."""
    metadata = {"description": description}
    if example is not None:
        metadata["example"] = example
    return ma.fields.String(validate=ma.validate.Length(max=max_length), metadata=metadata)


def _country(description: str) -> ma.fields.String:
    return ma.fields.String(
        validate=FullMatch(COUNTRY_PATTERN, error="Expected an ISO 3166-1 alpha-2 code."),
        metadata={"description": description, "example": "RU"},
    )


class KYC_MatchRequestBody(ma.Schema):
    """What the partner's customer typed, to compare with the operator's record.

    Besides ``phoneNumber`` at least one property must be sent. Properties the
    operator does not hold are answered ``not_available``.
    """

    phoneNumber = phone_number_field()
    idDocument = _text(
        50,
        "Series and number of the Russian internal passport, in any spacing (4509 123456).",
        "4509 123456",
    )
    idDocumentType = ma.fields.String(
        validate=ma.validate.OneOf(ID_DOCUMENT_TYPES),
        metadata={"description": "Type of the identity document (not held: not_available)."},
    )
    idDocumentExpiryDate = ma.fields.Date(metadata={"description": "Expiry date of the document (not held)."})
    name = _text(256, "Full name, any word order: Фамилия Имя Отчество, or in Latin.", "Иванов Иван Иванович")
    givenName = _text(100, "Given name (имя).", "Иван")
    familyName = _text(150, "Family name (фамилия); Latin spellings accepted.", "Ivanov")
    nameKanaHankaku = _text(256, "Name in Hankaku-Kana (Japan; not held).")
    nameKanaZenkaku = _text(256, "Name in Zenkaku-Kana (Japan; not held).")
    middleNames = _text(100, "Patronymic (отчество).", "Иванович")
    familyNameAtBirth = _text(150, "Family name at birth (not held).")
    address = _text(
        256, "Registered address (адрес регистрации) as one text.", "г. Москва, ул. Ленина, д. 5, кв. 12"
    )
    streetName = _text(150, "Street name (not held apart from the address: send address).")
    streetNumber = _text(20, "House number (not held apart from the address: send address).")
    postalCode = _text(20, "Postal code (not held apart from the address).")
    region = _text(100, "Region of the address (not held apart from the address).")
    locality = _text(100, "Locality of the address (not held apart from the address: send address).")
    country = _country("Country of the address, ISO 3166-1 alpha-2; registered addresses are in RU.")
    houseNumberExtension = _text(20, "Flat, block or building (not held apart from the address).")
    birthdate = ma.fields.Date(metadata={"description": "Date of birth (not held)."})
    email = ma.fields.Email(
        validate=ma.validate.Length(max=254),
        metadata={"description": "Email address; compared ignoring case.", "example": "ivanov@example.ru"},
    )
    gender = ma.fields.String(
        validate=ma.validate.OneOf(GENDERS), metadata={"description": "Gender (not held)."}
    )
    cityOfBirth = _text(100, "City of birth (not held).")
    countryOfBirth = _country("Country of birth, ISO 3166-1 alpha-2 (not held).")
    nationality = _country("Nationality, ISO 3166-1 alpha-2 (not held).")


#: Every KYC property a partner may send besides ``phoneNumber``, in CAMARA's order.
KYC_FIELDS: tuple[str, ...] = tuple(
    name for name in KYC_MatchRequestBody._declared_fields if name != "phoneNumber"
)
#: Text properties: a ``"false"`` carries a ``<field>MatchScore`` where a score can be computed.
KYC_SCORED_FIELDS: tuple[str, ...] = (
    "name",
    "givenName",
    "familyName",
    "nameKanaHankaku",
    "nameKanaZenkaku",
    "middleNames",
    "familyNameAtBirth",
    "address",
    "streetName",
    "streetNumber",
    "region",
    "locality",
    "email",
    "cityOfBirth",
)
MATCH_RESULTS = ("true", "false", "not_available")


def _match_result(field: str) -> ma.fields.String:
    return ma.fields.String(
        validate=ma.validate.OneOf(MATCH_RESULTS),
        metadata={
            "description": f"Whether {field} matches the record: 'true', 'false', "
            "or 'not_available' when the operator holds nothing to compare."
        },
    )


def _match_score(field: str) -> ma.fields.Integer:
    return ma.fields.Integer(
        validate=[ma.validate.Range(min=0, max=99), ma.validate.OneOf(SCORE_BANDS)],
        metadata={
            "description": f"A coarse band (0, 25, 50 or 75) of how much of {field} on record was "
            f"typed, word by word; only beside {field}Match 'false'. See docs/CAMARA.md.",
        },
    )


KYC_MatchResponse = ma.Schema.from_dict(
    {
        key: value
        for field in KYC_FIELDS
        for key, value in (
            ((f"{field}Match", _match_result(field)), (f"{field}MatchScore", _match_score(field)))
            if field in KYC_SCORED_FIELDS
            else ((f"{field}Match", _match_result(field)),)
        )
    },
    name="KYC_MatchResponse",
)
KYC_MatchResponse.__doc__ = "For each property sent, ``<property>Match`` and, beside a 'false', its score."


# --- Number Recycling v0.2 and KYC Tenure v0.2 ---------------------------------------------------

#: KYC Tenure's ``contractType`` values (CAMARA's enum; ours are PAYG and PAYM).
CONTRACT_TYPES = tuple(kind.value for kind in ContractType)


def _past_date(description: str, example: str) -> ma.fields.Date:
    # A date in the future is 400 OUT_OF_RANGE, checked by the view (CAMARA).
    return ma.fields.Date(
        required=True,
        metadata={
            "description": f"{description} RFC 3339 calendar date (YYYY-MM-DD), a UTC day; "
            "a date after today is 400 OUT_OF_RANGE.",
            "example": example,
        },
    )


class CreateCheckNumRecycling(ma.Schema):
    """Body of Number Recycling's ``check``."""

    phoneNumber = phone_number_field()
    specifiedDate = _past_date(
        "The date from which a change of the number's subscriber is looked for.",
        "2024-10-31",
    )


class CheckNumRecyclingInfo(ma.Schema):
    """Answer of Number Recycling's ``check``."""

    phoneNumberRecycled = ma.fields.Boolean(
        required=True,
        metadata={
            "description": "True when the number's subscriber changed after specifiedDate (or the "
            "number had no subscriber that day); a new SIM for the same subscriber is no change."
        },
    )


class Tenure(ma.Schema):
    """Body of KYC Tenure's ``check-tenure``."""

    phoneNumber = phone_number_field()
    tenureDate = _past_date(
        "The date from which continuous tenure of the number's subscriber is to be confirmed.",
        "2023-07-03",
    )


class TenureInfo(ma.Schema):
    """Answer of KYC Tenure's ``check-tenure``."""

    tenureDateCheck = ma.fields.Boolean(
        required=True,
        metadata={
            "description": "True when the number's present subscriber has held it continuously since "
            "tenureDate (a reissued SIM does not reset the tenure)."
        },
    )
    contractType = ma.fields.String(
        validate=ma.validate.OneOf(CONTRACT_TYPES),
        metadata={
            "description": "PAYG (prepaid) or PAYM (monthly contract), from the current tariff; "
            "omitted when the tariff's type is not known.",
            "example": "PAYM",
        },
    )
