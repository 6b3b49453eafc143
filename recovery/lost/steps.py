"""The wizard's steps: each page's form, how it fills from and saves to the draft, and its rules.

The routes (:mod:`recovery.lost.routes`) walk this table; a step's own needs
(the passport kept only as a digest, a reissue needing address and calls) live
in its hooks here rather than in the views.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from recovery.lost.forms import (
    ActionStep,
    AddressStep,
    CallsStep,
    NumberStep,
    PassportStep,
    WhereStep,
    as_aware,
    claimant_zone,
    forget_typed,
)
from recovery.models import Action
from recovery.passports import passport_digest


@dataclass(frozen=True)
class Step:
    """One page of the wizard: its form, how it fills from and saves to the draft."""

    name: str
    title: str
    form: type[FlaskForm]
    complete: Callable[[dict[str, Any]], bool]
    fill: Callable[[dict[str, Any]], dict[str, Any]]
    store: Callable[[Any, dict[str, Any]], None]
    #: Rules across the step and earlier answers, after the form's own validators.
    validate: Callable[[Any, dict[str, Any]], bool] = lambda form, data: True
    #: Called before the step is shown again (after a GET or a failed POST).
    redisplay: Callable[[Any], None] = lambda form: None


def _store_number(form: NumberStep, data: dict[str, Any]) -> None:
    data["msisdn"] = form.msisdn.data
    data["full_name"] = " ".join(form.full_name.data.split())


def _store_passport(form: PassportStep, data: dict[str, Any]) -> None:
    """Only a keyed digest of the passport is kept; left blank, the earlier answer stands."""
    if form.passport.data:
        data["passport_digest"] = passport_digest(form.passport.data, current_app.config["PII_KEY"])


def _store_address(form: AddressStep, data: dict[str, Any]) -> None:
    data["registered_address"] = " ".join((form.registered_address.data or "").split())


def _fill_calls(data: dict[str, Any]) -> dict[str, Any]:
    calls = data.get("recent_calls", [])
    return {f"call_{n + 1}": number for n, number in enumerate(calls)}


def _fill_where(data: dict[str, Any]) -> dict[str, Any]:
    lost_at = data.get("lost_at")
    zone = claimant_zone(data.get("current_region"), data.get("time_zone"))
    local = datetime.fromisoformat(lost_at).astimezone(zone) if lost_at else None
    return {
        "current_region": data.get("current_region"),
        "time_zone": data.get("time_zone") or "",
        "lost_at": local.replace(tzinfo=None) if local else None,
    }


def _store_where(form: WhereStep, data: dict[str, Any]) -> None:
    data["current_region"] = form.current_region.data
    data["time_zone"] = form.time_zone.data or ""
    moment = as_aware(form.lost_at.data, form.zone)
    data["lost_at"] = moment.isoformat() if moment else None


def _validate_action(form: ActionStep, data: dict[str, Any]) -> bool:
    """A reissue needs the address and recent numbers: say so here rather than fail later."""
    if form.action.data == Action.REISSUE.value and (
        not data.get("registered_address") or not data.get("recent_calls")
    ):
        form.action.errors = [
            _(
                "To get a new SIM card remotely we also need your registered address and numbers you "
                "called recently. Go back and add them, or choose to block the SIM card only."
            )
        ]
        return False
    return True


def _validate_calls(form: CallsStep, data: dict[str, Any]) -> bool:
    """The same number twice, or the lost number itself, cannot prove anything: say so at the field."""
    seen: set[str] = set()
    valid = True
    for field in (form.call_1, form.call_2, form.call_3):
        if not field.data:
            continue
        if field.data == data.get("msisdn"):
            field.errors = [_("This is the lost number itself. Enter a number you called from it.")]
            valid = False
        elif field.data in seen:
            field.errors = [_("You have already entered this number. Enter three different numbers.")]
            valid = False
        seen.add(field.data)
    return valid


def _validate_passport(form: PassportStep, data: dict[str, Any]) -> bool:
    if not form.passport.data and not data.get("passport_digest"):
        form.passport.errors = [_("Enter the series and number of your passport.")]
        return False
    return True


STEPS: tuple[Step, ...] = (
    Step(
        "number",
        _l("Your number and name"),
        NumberStep,
        lambda d: bool(d.get("msisdn") and d.get("full_name")),
        lambda d: {"msisdn": d.get("msisdn"), "full_name": d.get("full_name")},
        _store_number,
    ),
    Step(
        "passport",
        _l("Your passport"),
        PassportStep,
        lambda d: bool(d.get("passport_digest")),
        lambda d: {},
        _store_passport,
        validate=_validate_passport,
        redisplay=lambda form: forget_typed(form.passport),
    ),
    Step(
        "address",
        _l("Your registered address"),
        AddressStep,
        lambda d: "registered_address" in d,
        lambda d: {"registered_address": d.get("registered_address")},
        _store_address,
    ),
    Step(
        "calls",
        _l("Numbers you called recently"),
        CallsStep,
        lambda d: "recent_calls" in d,
        _fill_calls,
        lambda form, d: d.update(recent_calls=form.numbers),
        validate=_validate_calls,
    ),
    Step(
        "where",
        _l("Where you are and when you lost it"),
        WhereStep,
        lambda d: bool(d.get("current_region")),
        _fill_where,
        _store_where,
    ),
    Step(
        "action",
        _l("What you would like to do"),
        ActionStep,
        lambda d: d.get("action") in {a.value for a in Action},
        lambda d: {"action": d.get("action")},
        lambda form, d: d.update(action=form.action.data),
        validate=_validate_action,
    ),
)
