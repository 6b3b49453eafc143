"""The only database access of verification: the subscriber's recent calls.

The call check is **one statement** (``check_query``), the same text for every
number, known or not, so that a number with calls costs the same round trips
as one that is not ours (an enumeration oracle;
tests/integration/security/test_enumeration.py). Every part of it reads a
bounded number of index entries whatever the size of the ledger (DESIGN 4),
which on an operator's scale holds billions of rows:

* the window reads the subscriber's outgoing voice calls of the 30 days on
  ``ix_call_events_caller_kind_started_at`` (caller, kind, started_at DESC)
  INCLUDE (callee), index only on PostgreSQL: every voice call of the window,
  however many SMS and USSD requests the subscriber made, and nothing else
  (issue 16: a cap on rows of any kind left a subscriber who sent 150 SMS
  before the loss without calls). The database groups them into one row per
  number with its last and first call of the window;
* "first seen": a number the window shows called at or before the cutoff is
  known already; for the others a probe per direction on the
  natural key ``uq_call_events_natural`` (caller, callee, started_at, kind),
  a single index seek each (per monthly partition on PostgreSQL);
* post-loss activity counts the subscriber's own events from ``lostAt`` on the
  caller index, stopping at ``POST_LOSS_COUNT_CAP``.

Which numbers count (service numbers, support lines, the ten most recent) is
decided in Python by :mod:`recovery.verification.calls` on the rows.

Post-loss activity counts only events the subscriber's SIM *made* (calls, SMS
and USSD such as a ``*100#`` balance check): incoming calls and SMS arrive
whoever holds the SIM, or nobody, and counting them would let anyone raise the
flag by phoning the number. The ledger has no index by callee either, so
counting them would scan.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, Integer, Select, bindparam, func, literal, or_, select, true
from sqlalchemy.orm import Session

from recovery.models.ledger import CallEvent, CallKind
from recovery.phones import to_e164
from recovery.verification.calls import (
    VOICE,
    LedgerCall,
    known_cutoff,
    reference_set,
    require_aware,
    window_start,
)
from recovery.verification.settings import CallSettings

_DEFAULT = CallSettings()


class CallEvidence(NamedTuple):
    """What the ledger says for a claim: the reference set and the post-loss count."""

    reference: tuple[str, ...]
    post_loss: int


def known_condition(msisdn: object, number: object, cutoff: object) -> ColumnElement[bool]:
    """The ledger has an event between the two numbers, either way, at or before ``cutoff``.

    Each direction is a scalar subquery with ``LIMIT 1`` rather than ``EXISTS``:
    PostgreSQL may run an ``EXISTS`` as a *hashed* subplan, which reads every
    event of the subscriber up to the cutoff (and, for the incoming direction,
    scans the ledger: there is no callee index) instead of one seek per number.
    """
    outgoing = (
        select(literal(1))
        .where(CallEvent.caller == msisdn, CallEvent.callee == number, CallEvent.started_at <= cutoff)
        .limit(1)
        .scalar_subquery()
    )
    incoming = (
        select(literal(1))
        .where(CallEvent.caller == number, CallEvent.callee == msisdn, CallEvent.started_at <= cutoff)
        .limit(1)
        .scalar_subquery()
    )
    return or_(outgoing.is_not(None), incoming.is_not(None))


def known_query(msisdn: str, number: str, cutoff: datetime) -> Select:
    """Whether the ledger has any event between the two numbers, either way, at or before ``cutoff``."""
    return select(known_condition(msisdn, number, cutoff))


# The statements are built once, with bind parameters: building a SELECT costs
# more Python than running it (make bench). They are plain Core reads of the
# ledger, run on the session's connection without the ORM's per-statement work.
_ME = bindparam("msisdn")
_LAST = func.max(CallEvent.started_at).label("last_at")
_FIRST = func.min(CallEvent.started_at).label("first_at")
_WINDOW = (
    select(CallEvent.callee, _LAST, _FIRST)
    .where(
        CallEvent.caller == _ME,
        CallEvent.kind == CallKind.VOICE,
        CallEvent.started_at >= bindparam("start"),
        CallEvent.started_at < bindparam("lost_at"),
    )
    .group_by(CallEvent.callee)
    .order_by(_LAST.desc())
)
_POST_LOSS = select(func.count().label("events")).select_from(
    select(CallEvent.started_at)
    .where(CallEvent.caller == _ME, CallEvent.started_at >= bindparam("lost_at"))
    .order_by(CallEvent.started_at.desc())
    .limit(bindparam("cap", type_=Integer))
    .subquery()
)


def _check_statement() -> Select:
    window = _WINDOW.order_by(None).subquery("window")
    post_loss = _POST_LOSS.subquery("post_loss")
    cutoff = bindparam("cutoff")
    # A number called in the window before the cutoff is proven; the others are probed.
    known = or_(window.c.first_at <= cutoff, known_condition(_ME, window.c.callee, cutoff))
    # One row even for an empty window (the post-loss count), so the outer join.
    return (
        select(post_loss.c.events.label("post_loss"), window.c.callee, window.c.last_at, known.label("known"))
        .select_from(post_loss.outerjoin(window, true()))
        .order_by(window.c.last_at.desc())
    )


_CHECK = _check_statement()


def _params(msisdn: str, lost_at: datetime, settings: CallSettings) -> dict[str, object]:
    return {
        "msisdn": msisdn,
        "start": window_start(lost_at, settings),
        "lost_at": lost_at,
        "cutoff": known_cutoff(lost_at, settings),
        "cap": settings.post_loss_count_cap,
    }


def call_evidence(
    session: Session,
    msisdn: str,
    lost_at: datetime,
    *,
    support_numbers: Iterable[str] = (),
    settings: CallSettings = _DEFAULT,
) -> CallEvidence:
    """The reference set (numbers, most recent first) and the post-loss count, in one statement.

    An unknown number simply has an empty set and no activity; the same statement runs either way.
    """
    msisdn, lost_at = to_e164(msisdn), require_aware(lost_at)
    rows = session.connection().execute(_CHECK, _params(msisdn, lost_at, settings)).all()
    calls = [LedgerCall(callee, last_at, VOICE) for _, callee, last_at, _ in rows if callee is not None]
    known = frozenset(callee for _, callee, _, is_known in rows if is_known)
    support = tuple(support_numbers)
    reference = reference_set(calls, known, lost_at, support_numbers=support, settings=settings)
    return CallEvidence(reference, rows[0][0] or 0)


def reference_calls(
    session: Session,
    msisdn: str,
    lost_at: datetime,
    *,
    support_numbers: Iterable[str] = (),
    settings: CallSettings = _DEFAULT,
) -> tuple[str, ...]:
    """The reference set of ``msisdn`` for a loss at ``lost_at``: numbers, most recent first."""
    evidence = call_evidence(session, msisdn, lost_at, support_numbers=support_numbers, settings=settings)
    return evidence.reference


def check_query(msisdn: str, lost_at: datetime, settings: CallSettings = _DEFAULT) -> Select:
    """The call check's statement with its parameters bound: post-loss count, then one row per number."""
    return _CHECK.params(_params(to_e164(msisdn), require_aware(lost_at), settings))


def window_query(msisdn: str, lost_at: datetime, settings: CallSettings = _DEFAULT) -> Select:
    """The numbers called by voice in the window, each with its last and first call, latest first."""
    return _WINDOW.params(_params(msisdn, lost_at, settings))


def post_loss_query(msisdn: str, lost_at: datetime, settings: CallSettings = _DEFAULT) -> Select:
    """Count of the subscriber's own events from ``lost_at`` on, stopping at the cap."""
    return _POST_LOSS.params(_params(msisdn, lost_at, settings))


def post_loss_events(
    session: Session, msisdn: str, lost_at: datetime, *, settings: CallSettings = _DEFAULT
) -> int:
    """Calls, SMS and USSD the SIM made at or after ``lost_at`` (capped): the finder's, not the owner's."""
    params = _params(to_e164(msisdn), require_aware(lost_at), settings)
    return session.connection().execute(_POST_LOSS, params).scalar() or 0
