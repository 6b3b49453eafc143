"""One row of ``subscribers.csv`` or ``calls.csv``: parsed and validated, or refused with a reason."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email

from recovery.iccid import InvalidIccid, normalise_iccid
from recovery.ledger.source import RowError
from recovery.models import CallKind
from recovery.passports import InvalidPassport, passport_digest
from recovery.phones import InvalidPhoneNumber, parse_party, to_e164
from recovery.regions import is_region

SUBSCRIBER_HEADER = (
    "msisdn",
    "full_name",
    "passport",
    "registered_address",
    "home_region",
    "iccid",
    "activated_at",
    "email",
    "tariff",
    "balance_rub",
)
CALL_HEADER = ("caller", "callee", "started_at", "duration_s", "kind", "region")

#: A call longer than a day is a billing fault, not a call.
MAX_DURATION_S = 86_400
MAX_BALANCE_RUB = Decimal("10000000")


class RowInvalid(ValueError):
    """One field of one row is wrong; the message says which and why."""


def parse_instant(value: str, field: str) -> datetime:
    """ISO 8601 with an offset; a time without a zone is ambiguous and refused."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise RowInvalid(f"{field}: not an ISO 8601 date and time") from None
    if parsed.tzinfo is None:
        raise RowInvalid(f"{field}: needs a UTC offset, e.g. +03:00")
    return parsed


def _region(value: str, field: str) -> str:
    code = value.strip().upper()
    if not is_region(code):
        raise RowInvalid(f"{field}: unknown region {value!r} (ISO 3166-2:RU code expected)")
    return code


@lru_cache(maxsize=200_000)
def _party(value: str) -> str:
    # Billing repeats the same numbers millions of times: each distinct text is
    # parsed and validated by phonenumbers once (20-50 µs), then read from here.
    return parse_party(value).value


@lru_cache(maxsize=1_024)
def _event_region(value: str) -> str:
    return _region(value, "region")


_KINDS = {kind.value: kind for kind in CallKind}


def _call_party(raw: str, name: str) -> str:
    try:
        return _party(raw.strip())
    except InvalidPhoneNumber:
        raise RowInvalid(f"{name}: {raw!r} is not a phone or service number") from None


def parse_call_row(fields: list[str]) -> dict[str, object]:
    """Validate one ``calls.csv`` row and return the values to store."""
    caller, callee, started_at, duration, kind, region = fields
    # Called for every row of billing files of millions of rows: kept lean. Fields are
    # checked in column order, so a row's first error is its leftmost one.
    values: dict[str, object] = {
        "caller": _call_party(caller, "caller"),
        "callee": _call_party(callee, "callee"),
        "started_at": parse_instant(started_at, "started_at"),
    }
    try:
        seconds = int(duration)
    except ValueError:
        raise RowInvalid("duration_s: not a whole number of seconds") from None
    if not 0 <= seconds <= MAX_DURATION_S:
        raise RowInvalid(f"duration_s: must be between 0 and {MAX_DURATION_S}")
    call_kind = _KINDS.get(kind.strip())
    if call_kind is None:
        raise RowInvalid("kind: must be one of voice, sms, ussd")
    values["duration_s"] = seconds
    values["kind"] = call_kind
    values["region"] = _event_region(region)
    return values


def _split_name(full_name: str) -> tuple[str, str, str | None]:
    words = full_name.split()
    if len(words) < 2:
        raise RowInvalid("full_name: needs at least a surname and a first name")
    return words[0], words[1], " ".join(words[2:]) or None


def _balance_kopecks(value: str) -> int:
    try:
        amount = Decimal(value.strip() or "0")
    except InvalidOperation:
        raise RowInvalid("balance_rub: not a number") from None
    if not amount.is_finite() or abs(amount) > MAX_BALANCE_RUB or amount != amount.quantize(Decimal("0.01")):
        raise RowInvalid("balance_rub: must be roubles with at most two decimals")
    return int(amount * 100)


def parse_subscriber_row(fields: list[str], pii_key: str) -> dict[str, object]:
    """Validate one ``subscribers.csv`` row; the passport leaves as an HMAC only."""
    msisdn, full_name, passport, address, region, iccid, activated_at, email, tariff, balance = fields
    try:
        values: dict[str, object] = {"msisdn": to_e164(msisdn)}
    except InvalidPhoneNumber:
        raise RowInvalid(f"msisdn: {msisdn!r} is not a valid phone number") from None
    values["last_name"], values["first_name"], values["patronymic"] = _split_name(full_name)
    try:
        values["passport_hmac"] = passport_digest(passport, pii_key)
    except InvalidPassport:
        raise RowInvalid("passport: must be 4 digits of series and 6 of number") from None
    if not address.strip():
        raise RowInvalid("registered_address: is empty")
    values["registered_address"] = " ".join(address.split())
    values["home_region"] = _region(region, "home_region")
    try:
        values["iccid"] = normalise_iccid(iccid)
    except InvalidIccid as exc:
        raise RowInvalid(f"iccid: {exc}") from None
    values["activated_at"] = parse_instant(activated_at, "activated_at")
    if email.strip():
        try:
            values["email"] = validate_email(email.strip(), check_deliverability=False).normalized
        except EmailNotValidError:
            raise RowInvalid("email: not a valid address") from None
    else:
        values["email"] = None
    if not tariff.strip():
        raise RowInvalid("tariff: is empty")
    values["tariff"] = tariff.strip()
    values["balance_kopecks"] = _balance_kopecks(balance)
    return values


def collect(errors: list[RowError], line: int, exc: RowInvalid) -> None:
    errors.append(RowError(line, str(exc)))
