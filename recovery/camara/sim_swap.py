"""CAMARA SIM Swap v2: ``POST /camara/sim-swap/v2/retrieve-date`` and ``/check``.

A bank asks whether a number's SIM changed recently before it trusts an SMS
code sent to it. The last change is the current SIM's activation: a fulfilled
reissue activates a new SIM at the hand-over (DESIGN 2.3).
"""

from __future__ import annotations

from typing import Any

from recovery import clock
from recovery.api.errors import ApiError
from recovery.camara import common, services
from recovery.camara.schemas import CheckSimSwapInfo, CreateCheckSimSwap, CreateSimSwapDate, SimSwapInfo
from recovery.extensions import db

blp = common.camara_blueprint(
    "SIM Swap",
    __name__,
    url_prefix="/camara/sim-swap/v2",
    description="CAMARA SIM Swap v2: when did a number last move to a new SIM card. "
    "Partner tokens with the scope sim-swap:retrieve-date or sim-swap:check.",
)

OUT_OF_RANGE_MESSAGE = (
    f"maxAge must be between {services.MIN_MAX_AGE_HOURS} and {services.MAX_MAX_AGE_HOURS} hours."
)
EXAMPLE_NUMBER = "+79161234567"


@blp.route("/retrieve-date", methods=["POST"])
@common.partner_operation(blp, "sim-swap:retrieve-date")
@blp.arguments(CreateSimSwapDate, example={"phoneNumber": EXAMPLE_NUMBER})
@blp.response(
    200,
    SimSwapInfo,
    description="The time of the last SIM change.",
    example={"latestSimChange": "2026-11-20T15:00:00+00:00"},
    headers=common.X_CORRELATOR_RESPONSE_HEADER,
)
@common.document_errors(blp, common.COMMON_ERRORS)
def retrieve_date(body: dict[str, Any], headers: dict[str, Any]) -> dict[str, Any]:
    """Get the time of the number's last SIM change.

    The activation time of the number's SIM when it never changed; null when
    the number has no SIM in service. Scope: sim-swap:retrieve-date.
    """
    phone_number = body.get("phoneNumber")
    subscriber = common.lookup_subscriber("camara.sim_swap.retrieve_date", phone_number)
    latest = services.latest_sim_change(subscriber)
    common.audit_lookup("camara.sim_swap.retrieve_date", phone_number, result="date" if latest else "no_sim")
    db.session.commit()
    return {"latestSimChange": latest}


@blp.route("/check", methods=["POST"])
@common.partner_operation(blp, "sim-swap:check")
@blp.arguments(CreateCheckSimSwap, example={"phoneNumber": EXAMPLE_NUMBER, "maxAge": 240})
@blp.response(
    200,
    CheckSimSwapInfo,
    description="Whether the SIM changed within maxAge hours.",
    example={"swapped": False},
    headers=common.X_CORRELATOR_RESPONSE_HEADER,
)
@common.document_errors(blp, (*common.COMMON_ERRORS, (400, common.OUT_OF_RANGE, OUT_OF_RANGE_MESSAGE)))
def check(body: dict[str, Any], headers: dict[str, Any]) -> dict[str, bool]:
    """Check whether the number's SIM changed in the last maxAge hours.

    maxAge is 1–2400 hours (default 240); outside that range the answer is
    400 OUT_OF_RANGE. A new subscription counts as a change. Scope: sim-swap:check.
    """
    max_age = body["maxAge"]
    if not services.MIN_MAX_AGE_HOURS <= max_age <= services.MAX_MAX_AGE_HOURS:
        raise ApiError(400, common.OUT_OF_RANGE, OUT_OF_RANGE_MESSAGE)
    phone_number = body.get("phoneNumber")
    subscriber = common.lookup_subscriber("camara.sim_swap.check", phone_number)
    swapped = services.swapped_within(services.latest_sim_change(subscriber), clock.now(), max_age)
    common.audit_lookup("camara.sim_swap.check", phone_number, max_age=max_age, result=swapped)
    db.session.commit()
    return {"swapped": swapped}
