"""The call check (DESIGN 2.2), as pure functions over rows already fetched.

* **Reference set**: the distinct full numbers the subscriber called by voice
  in the ``CALL_WINDOW_DAYS`` before ``lostAt`` (from exactly 30 days before,
  inclusive, to ``lostAt``, exclusive), most recent first, at most
  ``MAX_REFERENCE_NUMBERS``. Service numbers never count (short numbers, USSD
  codes, anything that is not a valid full number, and the configured support
  lines), nor do numbers first seen in the subscriber's ledger (either
  direction, any kind) less than ``MIN_KNOWN_DAYS`` before ``lostAt`` — the
  call-back scam. Excluded numbers do not take a place among the ten.
* **Claimed numbers** are read in any format (``8 916…``, ``+7 916…``,
  ``916…``), each counted once; at most ``MAX_CLAIMED_CALLS``.
* The check **passes** when at least ``CALLS_REQUIRED`` claimed numbers are in
  the reference set, or all of it when it holds fewer; with an empty reference
  set it is **not available**. A remote *reissue* needs ``CALLS_REQUIRED``
  matched numbers whatever the set holds (``decision``): the claimant picks
  ``lostAt``, and a quiet window must not lower the bar.

An event exactly at ``lostAt`` is not evidence: it belongs to the time after
the loss (see :mod:`recovery.verification.repository` for post-loss activity).
The repository reads the rows and probes which numbers were known; the
decisions are here, so that they are tested without a database.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from recovery.phones import InvalidPhoneNumber, parse_party, to_e164
from recovery.verification.results import FieldResult, MatchStatus
from recovery.verification.settings import CallSettings

#: ``CallKind.VOICE``; spelled out so that this module needs no models.
VOICE = "voice"
_DEFAULT = CallSettings()


class TooManyClaimedCalls(ValueError):
    """More claimed numbers than ``MAX_CLAIMED_CALLS``: guessing, not recalling."""


@dataclass(frozen=True)
class LedgerCall:
    """One outgoing event of the subscriber: whom, when (aware), what kind."""

    callee: str
    started_at: datetime
    kind: str


@dataclass(frozen=True)
class CallCheck:
    """How many claimed numbers were found, how many were needed, and the verdict."""

    status: MatchStatus
    matched: int
    required: int

    @property
    def field(self) -> FieldResult:
        """The result as a field (no score: numbers are not text)."""
        return FieldResult(self.status)

    @property
    def passed(self) -> bool:
        """True only when enough claimed numbers were found."""
        return self.status is MatchStatus.MATCH


def require_aware(moment: datetime) -> datetime:
    """Return ``moment`` if it is timezone-aware, else raise ``ValueError``."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        # A time without a zone is ambiguous by up to eleven hours across Russia.
        raise ValueError("lostAt must be timezone-aware")
    return moment


def window_start(lost_at: datetime, settings: CallSettings = _DEFAULT) -> datetime:
    """The first instant of the reference window (inclusive)."""
    return require_aware(lost_at) - timedelta(days=settings.window_days)


def known_cutoff(lost_at: datetime, settings: CallSettings = _DEFAULT) -> datetime:
    """A number counts only if the ledger has an event with it at or before this instant."""
    return require_aware(lost_at) - timedelta(days=settings.min_known_days)


def candidate_numbers(
    calls: Iterable[LedgerCall],
    lost_at: datetime,
    *,
    support_numbers: Iterable[str] = (),
    settings: CallSettings = _DEFAULT,
) -> tuple[str, ...]:
    """Distinct full numbers called by voice in the window, most recent first, service numbers left out.

    These are the numbers whose first-seen time must be probed.
    """
    start, support = window_start(lost_at, settings), frozenset(support_numbers)
    seen: dict[str, None] = {}
    for call in sorted(calls, key=lambda c: c.started_at, reverse=True):
        if call.kind != VOICE or not start <= call.started_at < lost_at:
            continue
        number = _full_number(call.callee, support)
        if number is not None:
            seen.setdefault(number)
    return tuple(seen)


def known_in_window(
    calls: Iterable[LedgerCall],
    lost_at: datetime,
    *,
    support_numbers: Iterable[str] = (),
    settings: CallSettings = _DEFAULT,
) -> frozenset[str]:
    """Full numbers the window itself shows the subscriber calling at or before ``known_cutoff``.

    Such a number is known early enough without asking the ledger again: the
    window is 30 days and the cutoff 7 days before the loss, so most numbers a
    subscriber calls are proven here and only those first called in the last
    days need a "first seen" probe (``numbers_to_probe``).
    """
    cutoff, support = known_cutoff(lost_at, settings), frozenset(support_numbers)
    proven = (_full_number(call.callee, support) for call in calls if call.started_at <= cutoff)
    return frozenset(number for number in proven if number is not None)


def numbers_to_probe(
    candidates: Sequence[str], proven: Collection[str], settings: CallSettings = _DEFAULT
) -> tuple[str, ...]:
    """The candidates whose first-seen time the ledger must still be asked for.

    Those not ``proven`` by the window, and only up to the point where the
    proven ones alone fill the reference set: a candidate after that cannot be
    among the first ``max_reference_numbers`` known, whatever a probe says.
    """
    unproven, known = [], 0
    for number in candidates:
        if known == settings.max_reference_numbers:
            break
        if number in proven:
            known += 1
        else:
            unproven.append(number)
    return tuple(unproven)


# A window holds up to a hundred rows, mostly the same few numbers; phonenumbers
# takes 20-50 µs a parse, so each distinct text is parsed once (make bench).
@lru_cache(maxsize=65_536)
def _full_number(raw: str, support: frozenset[str]) -> str | None:
    try:
        party = parse_party(raw, support)
    except InvalidPhoneNumber:
        return None
    return None if party.is_service else party.value


def reference_set(
    calls: Iterable[LedgerCall],
    known: Collection[str],
    lost_at: datetime,
    *,
    support_numbers: Iterable[str] = (),
    settings: CallSettings = _DEFAULT,
) -> tuple[str, ...]:
    """The reference numbers, most recent first.

    ``known`` holds the numbers the ledger shows with the subscriber at or
    before ``known_cutoff(lost_at)``; the others are too new to be evidence.
    """
    candidates = candidate_numbers(calls, lost_at, support_numbers=support_numbers, settings=settings)
    return tuple(number for number in candidates if number in known)[: settings.max_reference_numbers]


def claimed_numbers(claimed: Sequence[str], settings: CallSettings = _DEFAULT) -> frozenset[str]:
    """The distinct full numbers among the claimed ones, in E.164.

    Text that is not a valid full number is left out: a service number or a
    typo can never be in the reference set anyway.
    """
    if len(claimed) > settings.max_claimed_calls:
        raise TooManyClaimedCalls(f"at most {settings.max_claimed_calls} numbers may be given")
    numbers = set()
    for raw in claimed:
        try:
            numbers.add(to_e164(raw))
        except InvalidPhoneNumber:
            continue
    return frozenset(numbers)


def check_calls(
    claimed: Sequence[str], reference: Collection[str], settings: CallSettings = _DEFAULT
) -> CallCheck:
    """Compare the claimed numbers with the reference set."""
    numbers = claimed_numbers(claimed, settings)
    if not reference:
        return CallCheck(MatchStatus.NOT_AVAILABLE, matched=0, required=settings.calls_required)
    required = min(settings.calls_required, len(reference))
    matched = len(numbers & frozenset(reference))
    status = MatchStatus.MATCH if matched >= required else MatchStatus.NO_MATCH
    return CallCheck(status, matched=matched, required=required)
