"""CAMARA KYC Tenure v0.2: ``POST /camara/kyc-tenure/v0.2/check-tenure``.

A bank that trusts a number more the longer its owner has held it asks
whether the present subscriber has held it since a date, and whether it is a
prepaid or a contract line. Tenure is the contract in force
(``recovery.contracts``): a reissued SIM does not reset it, a new owner does.
"""

from __future__ import annotations

from typing import Any

from recovery import contracts
from recovery.camara import common
from recovery.camara.recycling import refuse_future
from recovery.camara.schemas import Tenure, TenureInfo
from recovery.extensions import db
from recovery.models import Tariff

blp = common.camara_blueprint(
    "KYC Tenure",
    __name__,
    url_prefix="/camara/kyc-tenure/v0.2",
    description="CAMARA KYC Tenure v0.2: has the number's present subscriber held it since a date, "
    "and on what kind of contract. Partner tokens with the scope kyc-tenure:check-tenure.",
)

ACTION = "camara.kyc_tenure.check_tenure"
FUTURE_DATE_MESSAGE = "tenureDate must not be after today (UTC)."


@blp.route("/check-tenure", methods=["POST"])
@common.partner_operation(blp, "kyc-tenure:check-tenure")
@blp.arguments(Tenure, example={"phoneNumber": "+79161234567", "tenureDate": "2023-07-03"})
@blp.response(
    200,
    TenureInfo,
    description="Whether the subscriber has held the number since tenureDate, and the contract type.",
    example={"tenureDateCheck": True, "contractType": "PAYM"},
    headers=common.X_CORRELATOR_RESPONSE_HEADER,
)
@common.document_errors(blp, (*common.COMMON_ERRORS, (400, common.OUT_OF_RANGE, FUTURE_DATE_MESSAGE)))
def check_tenure(body: dict[str, Any], headers: dict[str, Any]) -> dict[str, Any]:
    """Check that the number's present subscriber has held it continuously since tenureDate.

    tenureDateCheck is true when the contract in force began on or before
    tenureDate (a reissued SIM does not reset it); contractType is PAYG or
    PAYM from the current tariff, left out when unknown. A date after today
    is 400 OUT_OF_RANGE. Scope: kyc-tenure:check-tenure.
    """
    day = body["tenureDate"]
    refuse_future(day, FUTURE_DATE_MESSAGE)
    phone_number = body.get("phoneNumber")
    subscriber = common.lookup_subscriber(ACTION, phone_number, tenure_date=day.isoformat())
    held = contracts.tenure_since(subscriber, day)
    tariff = db.session.get(Tariff, subscriber.tariff)
    answer: dict[str, Any] = {"tenureDateCheck": held}
    if tariff is not None:
        answer["contractType"] = tariff.contract_type.value
    common.audit_lookup(ACTION, phone_number, tenure_date=day.isoformat(), result=held)
    db.session.commit()
    return answer
