"""The only database access of verification: the subscriber's recent calls.

Every query reads a bounded number of index entries whatever the size of the
ledger (DESIGN 4), which on an operator's scale holds billions of rows:

* the window query walks ``ix_call_events_caller_started_at``
  (caller, started_at DESC) from ``lostAt`` backwards and stops after
  ``REFERENCE_SCAN_ROWS`` rows. Kind and service numbers are filtered in
  Python, not in SQL, because a filter on a column outside the index would let
  the database read on past the limit through a subscriber's SMS and USSD;
* "first seen" is an ``EXISTS`` probe per candidate number and direction on
  the natural key ``uq_call_events_natural`` (caller, callee, started_at, kind),
  a single index seek each, all of them in one statement: a statement per
  candidate would make a number with calls measurably slower to answer than
  one that is not ours (an enumeration oracle; tests/integration/security/
  test_enumeration.py);
* post-loss activity counts the subscriber's own events from ``lostAt`` on the
  caller index, stopping at ``POST_LOSS_COUNT_CAP``.

Post-loss activity counts only events the subscriber's SIM *made* (calls, SMS
and USSD such as a ``*100#`` balance check): incoming calls and SMS arrive
whoever holds the SIM, or nobody, and counting them would let anyone raise the
flag by phoning the number. The ledger has no index by callee either, so
counting them would scan.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    String,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from recovery.models.ledger import CallEvent
from recovery.phones import to_e164
from recovery.verification.calls import (
    LedgerCall,
    candidate_numbers,
    known_cutoff,
    reference_set,
    require_aware,
    window_start,
)
from recovery.verification.settings import CallSettings

_DEFAULT = CallSettings()


def reference_calls(
    session: Session,
    msisdn: str,
    lost_at: datetime,
    *,
    support_numbers: Iterable[str] = (),
    settings: CallSettings = _DEFAULT,
) -> tuple[str, ...]:
    """The reference set of ``msisdn`` for a loss at ``lost_at``: numbers, most recent first.

    An unknown number simply has an empty set; the same queries run either way.
    """
    msisdn = to_e164(msisdn)
    support = tuple(support_numbers)
    calls = [
        LedgerCall(callee, started_at, str(kind))
        for callee, started_at, kind in session.execute(window_query(msisdn, lost_at, settings))
    ]
    candidates = candidate_numbers(calls, lost_at, support_numbers=support, settings=settings)
    known = _known_numbers(session, msisdn, candidates, known_cutoff(lost_at, settings))
    return reference_set(calls, known, lost_at, support_numbers=support, settings=settings)


def window_query(msisdn: str, lost_at: datetime, settings: CallSettings = _DEFAULT) -> Select:
    """The subscriber's events in the window, newest first, at most ``scan_rows`` of them."""
    return (
        select(CallEvent.callee, CallEvent.started_at, CallEvent.kind)
        .where(
            CallEvent.caller == msisdn,
            CallEvent.started_at >= window_start(lost_at, settings),
            CallEvent.started_at < lost_at,
        )
        .order_by(CallEvent.started_at.desc())
        .limit(settings.scan_rows)
    )


def known_condition(msisdn: str, number: str, cutoff: datetime) -> ColumnElement[bool]:
    """The ledger has an event between the two numbers, either way, at or before ``cutoff``."""
    outgoing = exists().where(
        CallEvent.caller == msisdn, CallEvent.callee == number, CallEvent.started_at <= cutoff
    )
    incoming = exists().where(
        CallEvent.caller == number, CallEvent.callee == msisdn, CallEvent.started_at <= cutoff
    )
    return or_(outgoing, incoming)


def known_query(msisdn: str, number: str, cutoff: datetime) -> Select:
    """Whether the ledger has any event between the two numbers, either way, at or before ``cutoff``."""
    return select(known_condition(msisdn, number, cutoff))


def known_numbers_query(msisdn: str, numbers: Sequence[str], cutoff: datetime) -> Select | CompoundSelect:
    """Which of ``numbers`` the ledger shows with ``msisdn`` at or before ``cutoff``: one statement.

    Each number is one ``known_query`` probe (an index seek per direction);
    without numbers the statement still runs and finds nothing, so that an
    unknown number costs the same round trips as a known one.
    """
    probes = [
        select(literal(number, String).label("number")).where(known_condition(msisdn, number, cutoff))
        for number in numbers
    ]
    if not probes:
        return select(literal(None, String).label("number")).where(false())
    return probes[0] if len(probes) == 1 else union_all(*probes)


def _known_numbers(
    session: Session, msisdn: str, candidates: Sequence[str], cutoff: datetime
) -> frozenset[str]:
    """The candidates the ledger knew early enough (``reference_set`` keeps the first of them)."""
    return frozenset(session.scalars(known_numbers_query(msisdn, candidates, cutoff)))


def post_loss_query(msisdn: str, lost_at: datetime, settings: CallSettings = _DEFAULT) -> Select:
    """Count of the subscriber's own events from ``lost_at`` on, stopping at the cap."""
    own_events = (
        select(CallEvent.started_at)
        .where(CallEvent.caller == msisdn, CallEvent.started_at >= lost_at)
        .order_by(CallEvent.started_at.desc())
        .limit(settings.post_loss_count_cap)
        .subquery()
    )
    return select(func.count()).select_from(own_events)


def post_loss_events(
    session: Session, msisdn: str, lost_at: datetime, *, settings: CallSettings = _DEFAULT
) -> int:
    """Calls, SMS and USSD the SIM made at or after ``lost_at`` (capped): the finder's, not the owner's."""
    return session.scalar(post_loss_query(to_e164(msisdn), require_aware(lost_at), settings)) or 0
