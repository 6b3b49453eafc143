"""The only database access of verification: the subscriber's recent calls.

Every query reads a bounded number of index entries whatever the size of the
ledger (DESIGN 4), which on an operator's scale holds billions of rows:

* the window query reads the subscriber's outgoing voice calls of the window
  on ``ix_call_events_caller_kind_started_at`` (caller, kind, started_at
  DESC) INCLUDE (callee), index only on PostgreSQL: every voice call of
  the 30 days, however many SMS and USSD requests the subscriber made, and
  nothing else (issue 16: a cap on rows of any kind left a subscriber who sent
  150 SMS before the loss without calls). The database groups them into one
  row per number with its last and first call of the window, so the rows sent
  back are the distinct numbers;
* "first seen": a candidate the window shows called at or before the cutoff
  is known already (``calls.known_in_window``); the others are an ``EXISTS``
  probe per number and direction on the natural key ``uq_call_events_natural``
  (caller, callee, started_at, kind), a single index seek each, all of them in
  one statement: a statement per candidate would make a number with calls
  measurably slower to answer than one that is not ours (an enumeration
  oracle; tests/integration/security/test_enumeration.py). On PostgreSQL the
  numbers are one array parameter, so the statement, and its plan, is the
  same whatever their count: planning a ``UNION`` of probes over every
  partition of the ledger cost more than running it (``make bench``);
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
    ARRAY,
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    String,
    bindparam,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from recovery.models.ledger import CallEvent, CallKind
from recovery.phones import to_e164
from recovery.verification.calls import (
    VOICE,
    LedgerCall,
    candidate_numbers,
    known_cutoff,
    known_in_window,
    numbers_to_probe,
    reference_set,
    require_aware,
    window_start,
)
from recovery.verification.settings import CallSettings

_DEFAULT = CallSettings()

# The statements are built once, with bind parameters: building a SELECT costs
# more Python than running it (make bench). They are plain Core reads of the
# ledger, run on the session's connection without the ORM's per-statement work.
_LAST = func.max(CallEvent.started_at).label("last_at")
_FIRST = func.min(CallEvent.started_at).label("first_at")
_WINDOW = (
    select(CallEvent.callee, _LAST, _FIRST)
    .where(
        CallEvent.caller == bindparam("msisdn"),
        CallEvent.kind == CallKind.VOICE,
        CallEvent.started_at >= bindparam("start"),
        CallEvent.started_at < bindparam("lost_at"),
    )
    .group_by(CallEvent.callee)
    .order_by(_LAST.desc())
)


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
    connection = session.connection()
    # A number's last call of the window places it, its first proves it known early enough.
    rows = connection.execute(_WINDOW, _window_params(msisdn, lost_at, settings))
    calls = [LedgerCall(callee, moment, VOICE) for callee, *moments in rows for moment in moments]
    candidates = candidate_numbers(calls, lost_at, support_numbers=support, settings=settings)
    proven = known_in_window(calls, lost_at, support_numbers=support, settings=settings)
    probe = numbers_to_probe(candidates, proven, settings)
    known = proven | _known_numbers(session, msisdn, probe, known_cutoff(lost_at, settings))
    return reference_set(calls, known, lost_at, support_numbers=support, settings=settings)


def _window_params(msisdn: str, lost_at: datetime, settings: CallSettings = _DEFAULT) -> dict[str, object]:
    return {"msisdn": msisdn, "start": window_start(lost_at, settings), "lost_at": lost_at}


def window_query(msisdn: str, lost_at: datetime, settings: CallSettings = _DEFAULT) -> Select:
    """The numbers called by voice in the window, each with its last and first call, latest first."""
    return _WINDOW.params(_window_params(msisdn, lost_at, settings))


def known_condition(msisdn: str, number: str | ColumnElement[str], cutoff: datetime) -> ColumnElement[bool]:
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


def known_numbers_query(
    msisdn: str, numbers: Sequence[str], cutoff: datetime, *, dialect: str
) -> Select | CompoundSelect:
    """Which of ``numbers`` the ledger shows with ``msisdn`` at or before ``cutoff``: one statement.

    Each number is one ``known_query`` probe (an index seek per direction);
    without numbers the statement still runs and finds nothing, so that an
    unknown number costs the same round trips as a known one. On PostgreSQL
    the numbers are unnested from one array parameter: one statement text and
    one plan for any count. SQLite has no arrays; there each number is a
    ``SELECT`` of a ``UNION ALL`` (its planner is cheap).
    """
    if dialect == "postgresql":
        return _KNOWN_NUMBERS.params(_known_numbers_params(msisdn, numbers, cutoff))
    probes = [
        select(literal(number, String).label("number")).where(known_condition(msisdn, number, cutoff))
        for number in numbers
    ]
    if not probes:
        return select(literal(None, String).label("number")).where(false())
    return probes[0] if len(probes) == 1 else union_all(*probes)


_PROBED = (
    func.unnest(bindparam("numbers", type_=ARRAY(String)))
    .table_valued("number")
    .render_derived(name="probed")
)
_KNOWN_NUMBERS = select(_PROBED.c.number).where(
    known_condition(bindparam("msisdn"), _PROBED.c.number, bindparam("cutoff"))
)


def _known_numbers(
    session: Session, msisdn: str, candidates: Sequence[str], cutoff: datetime
) -> frozenset[str]:
    """The candidates the ledger knew early enough (``reference_set`` keeps the first of them)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # The prebuilt statement with its parameters, not a bound copy (``known_numbers_query``).
        params = _known_numbers_params(msisdn, candidates, cutoff)
        return frozenset(connection.execute(_KNOWN_NUMBERS, params).scalars())
    query = known_numbers_query(msisdn, candidates, cutoff, dialect=connection.dialect.name)
    return frozenset(connection.execute(query).scalars())


def _known_numbers_params(msisdn: str, numbers: Sequence[str], cutoff: datetime) -> dict[str, object]:
    return {"msisdn": msisdn, "numbers": list(numbers), "cutoff": cutoff}


_POST_LOSS = select(func.count()).select_from(
    select(CallEvent.started_at)
    .where(CallEvent.caller == bindparam("msisdn"), CallEvent.started_at >= bindparam("lost_at"))
    .order_by(CallEvent.started_at.desc())
    .limit(bindparam("cap", type_=Integer))
    .subquery()
)


def post_loss_query(msisdn: str, lost_at: datetime, settings: CallSettings = _DEFAULT) -> Select:
    """Count of the subscriber's own events from ``lost_at`` on, stopping at the cap."""
    return _POST_LOSS.params(_post_loss_params(msisdn, lost_at, settings))


def post_loss_events(
    session: Session, msisdn: str, lost_at: datetime, *, settings: CallSettings = _DEFAULT
) -> int:
    """Calls, SMS and USSD the SIM made at or after ``lost_at`` (capped): the finder's, not the owner's."""
    params = _post_loss_params(to_e164(msisdn), require_aware(lost_at), settings)
    return session.connection().execute(_POST_LOSS, params).scalar() or 0


def _post_loss_params(msisdn: str, lost_at: datetime, settings: CallSettings) -> dict[str, object]:
    return {"msisdn": msisdn, "lost_at": lost_at, "cap": settings.post_loss_count_cap}
