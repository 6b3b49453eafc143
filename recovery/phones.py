"""Phone numbers: one canonical form (E.164) and the service-number rule.

``phonenumbers`` parses short numbers such as ``0890`` without complaint into
an invalid number, so validity is checked explicitly: anything that is not a
valid full number is a service number (DESIGN 2.1).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

DEFAULT_REGION = "RU"
#: Longest string we try to parse; billing never sends longer identifiers.
MAX_RAW_LENGTH = 32
_SERVICE_RE = re.compile(r"^[*#]?[0-9][0-9*#]{1,9}$")


class InvalidPhoneNumber(ValueError):
    """The text is neither a valid full number nor a service number."""


@dataclass(frozen=True)
class PhoneNumber:
    """A parsed party of a call: a full number in E.164 or a service number."""

    value: str
    is_service: bool


def to_e164(raw: str, region: str = DEFAULT_REGION) -> str:
    """Return a valid full number in E.164 form or raise ``InvalidPhoneNumber``."""
    if not isinstance(raw, str) or not raw.strip() or len(raw) > MAX_RAW_LENGTH:
        raise InvalidPhoneNumber("not a phone number")
    return _to_e164(raw, region)


# A claim reads the same few numbers several times, and phonenumbers takes
# 20-50 µs a parse (make bench). Refusals raise, and are not cached.
@lru_cache(maxsize=65_536)
def _to_e164(raw: str, region: str) -> str:
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber("not a phone number") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhoneNumber("not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def search_term(raw: str) -> str:
    """What a search box looks for: a full number in any format as E.164, anything else as typed.

    ``8 (916) 123-45-67`` finds what the records hold, ``+79161234567``; a
    login, a ticket reference or a part of a number stays as it is.
    """
    text = (raw or "").strip()
    if not re.fullmatch(r"[0-9+()\s.-]{7,}", text):
        return text
    try:
        return to_e164(text)
    except InvalidPhoneNumber:
        return text


def parse_party(raw: str, support_numbers: Iterable[str] = ()) -> PhoneNumber:
    """Parse a ledger party: a full number, or a short service number kept as typed.

    Full numbers listed in ``support_numbers`` (E.164) are service numbers too.
    """
    try:
        e164 = to_e164(raw)
    except InvalidPhoneNumber:
        compact = re.sub(r"[\s()-]", "", raw or "")
        if not _SERVICE_RE.match(compact):
            raise
        return PhoneNumber(compact, is_service=True)
    return PhoneNumber(e164, is_service=e164 in set(support_numbers))


def is_service_number(raw: str, support_numbers: Iterable[str] = ()) -> bool:
    """True for short numbers, USSD codes and the configured support lines."""
    try:
        return parse_party(raw, support_numbers).is_service
    except InvalidPhoneNumber:
        return True
