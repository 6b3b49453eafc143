"""CAMARA Number Recycling v0.2: ``POST /camara/number-recycling/v0.2/check``.

A service that holds a customer's number since some date (the day the
customer signed up with it) asks whether the number has since passed to
someone else before it sends an SMS there. The answer reads the contract
history (``recovery.contracts``): a reissued SIM of the same subscriber is no
change of subscriber.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from recovery import clock, contracts, replica
from recovery.api.errors import ApiError
from recovery.camara import common
from recovery.camara.schemas import CheckNumRecyclingInfo, CreateCheckNumRecycling
from recovery.extensions import db

blp = common.camara_blueprint(
    "Number Recycling",
    __name__,
    url_prefix="/camara/number-recycling/v0.2",
    description="CAMARA Number Recycling v0.2: has the number's subscriber changed since a date. "
    "Partner tokens with the scope number-recycling:check.",
)

ACTION = "camara.number_recycling.check"
FUTURE_DATE_MESSAGE = "specifiedDate must not be after today (UTC)."


def refuse_future(day: date, message: str) -> None:
    """400 OUT_OF_RANGE for a date after today's UTC date: no answer about the future."""
    if day > clock.now().date():
        raise ApiError(400, common.OUT_OF_RANGE, message)


@blp.route("/check", methods=["POST"])
@common.partner_operation(blp, "number-recycling:check")
@blp.arguments(
    CreateCheckNumRecycling, example={"phoneNumber": "+79161234567", "specifiedDate": "2024-10-31"}
)
@blp.response(
    200,
    CheckNumRecyclingInfo,
    description="Whether the number's subscriber changed after specifiedDate.",
    example={"phoneNumberRecycled": False},
    headers=common.X_CORRELATOR_RESPONSE_HEADER,
)
@common.document_errors(blp, (*common.COMMON_ERRORS, (400, common.OUT_OF_RANGE, FUTURE_DATE_MESSAGE)))
def check(body: dict[str, Any], headers: dict[str, Any]) -> dict[str, bool]:
    """Check whether the number's subscriber changed after specifiedDate.

    true when the subscriber who held the number on specifiedDate no longer
    does, or nobody held it that day; false when the same subscriber has held
    it since (a new SIM for a lost one changes nothing). The day of signing
    counts as held. A date after today is 400 OUT_OF_RANGE. Scope:
    number-recycling:check.
    """
    day = body["specifiedDate"]
    refuse_future(day, FUTURE_DATE_MESSAGE)
    phone_number = body.get("phoneNumber")
    subscriber = common.lookup_subscriber(ACTION, phone_number, specified_date=day.isoformat())
    recycled = replica.read_only(lambda session: contracts.recycled_since(session, subscriber.msisdn, day))
    common.audit_lookup(ACTION, phone_number, specified_date=day.isoformat(), result=recycled)
    db.session.commit()
    return {"phoneNumberRecycled": recycled}
