"""CAMARA KYC Match v0.4: ``POST /camara/kyc-match/v0.4/match``.

A bank onboarding a customer asks whether the identity the customer typed
matches the operator's record for the number. The answer says, per property,
``"true"``, ``"false"`` (with a 0–99 score on text properties) or
``"not_available"``, and never the stored value. Matching is the verification
engine's (Russian name forms, transliteration, address abbreviations).
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from recovery.api.errors import ApiError
from recovery.camara import budget, common, services
from recovery.camara.schemas import KYC_MatchRequestBody, KYC_MatchResponse
from recovery.extensions import db
from recovery.verification import Policy

blp = common.camara_blueprint(
    "KYC Match",
    __name__,
    url_prefix="/camara/kyc-match/v0.4",
    description="CAMARA Know Your Customer Match v0.4: does the identity a customer typed match the "
    "operator's record for the number. Partner tokens with the scope kyc-match:match. "
    "The Russian normalisation rules are published in docs/CAMARA.md.",
    # CAMARA: an empty body is 400 INVALID_ARGUMENT (the view refuses it).
    schema_rules={"KYC_MatchRequestBody": {"minProperties": 1}},
)

INVALID_PARAM_COMBINATION = "KNOW_YOUR_CUSTOMER.INVALID_PARAM_COMBINATION"
ACTION = "camara.kyc_match"

REQUEST_EXAMPLE = {
    "phoneNumber": "+79161234567",
    "idDocument": "4509 123456",
    "name": "Ivanov Ivan Ivanovich",
    "givenName": "Иван",
    "familyName": "Ivanov",
    "middleNames": "Иванович",
    "address": "Москва, улица Ленина, дом 5, квартира 12",
    "country": "RU",
    "email": "ivanov@example.ru",
    "birthdate": "1980-05-17",
}
RESPONSE_EXAMPLE = {
    "idDocumentMatch": "true",
    "nameMatch": "true",
    "givenNameMatch": "true",
    "familyNameMatch": "true",
    "middleNamesMatch": "true",
    "addressMatch": "true",
    "countryMatch": "true",
    "emailMatch": "false",
    "emailMatchScore": 87,
    "birthdateMatch": "not_available",
}
ERRORS = (
    *common.COMMON_ERRORS,
    (400, INVALID_PARAM_COMBINATION, "Indicated parameter combination is invalid."),
)


@blp.route("/match", methods=["POST"])
@common.partner_operation(blp, "kyc-match:match")
@blp.arguments(KYC_MatchRequestBody, example=REQUEST_EXAMPLE)
@blp.response(
    200,
    KYC_MatchResponse,
    description="One result per property sent.",
    example=RESPONSE_EXAMPLE,
    headers=common.X_CORRELATOR_RESPONSE_HEADER,
)
@common.document_errors(blp, ERRORS)
def match(body: dict[str, Any], headers: dict[str, Any]) -> dict[str, Any]:
    """Match a customer's identity against the record of their number.

    Send phoneNumber and at least one other property; only phoneNumber is 400
    KNOW_YOUR_CUSTOMER.INVALID_PARAM_COMBINATION, an empty body 400
    INVALID_ARGUMENT. Properties the operator does not hold are answered
    not_available. idDocument is the Russian passport's series and number,
    compared exactly (no score). Scope: kyc-match:match.
    """
    claimed = {field: value for field, value in body.items() if field != "phoneNumber"}
    phone_number = body.get("phoneNumber")
    if not claimed:
        if phone_number is None:
            raise ApiError(400, common.INVALID_ARGUMENT, "The request body names no property to match.")
        raise ApiError(
            400, INVALID_PARAM_COMBINATION, "Send at least one property to match besides phoneNumber."
        )
    asks_passport = "idDocument" in claimed
    subscriber = common.lookup_subscriber(
        ACTION, phone_number, id_document=asks_passport, fields=sorted(claimed)
    )

    results = services.kyc_match(
        claimed,
        subscriber,
        pii_key=current_app.config["PII_KEY"],
        settings=Policy.from_config(current_app.config).match,
    )
    if asks_passport and results["idDocument"].matched:
        budget.give_back_id_document_failure(db.session, phone_number)
    common.audit_lookup(
        ACTION,
        phone_number,
        fields=sorted(claimed),
        result={field: result.status.value for field, result in results.items()},
    )
    db.session.commit()
    response: dict[str, Any] = {}
    for field, result in results.items():
        response.update(result.camara(field))
    return response
