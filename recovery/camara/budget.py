"""The per-number budget of partner look-ups, across all partners (DESIGN 3.2, issue 12).

Per-client limits stop one partner from hammering us, not many partners (or
one partner's many clients) from guessing one person's passport. So each
number has its own budget per window of ``BUDGET_WINDOW_HOURS``, whoever asks:

* ``MAX_REQUESTS_PER_NUMBER`` look-ups of any kind (KYC Match, SIM Swap);
* ``MAX_ID_DOCUMENT_FAILURES_PER_NUMBER`` KYC answers that were not ``"true"``
  on ``idDocument`` — a passport guess that failed.

The budget lives in the database, one row per number, changed only by single
conditional statements (an upsert whose update has a ``WHERE``, or an UPDATE),
so it holds under parallel requests and across workers:
a failure is *reserved* before the passport is compared (the UPDATE refuses
when none is left) and given back when the answer was ``"true"``. Numbers that
are not ours spend exactly the same way (a 404 keeps its reservation), so the
budget tells nobody whether a number is a subscriber.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, literal, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from recovery.models import PartnerNumberBudget
from recovery.models.types import UTCDateTime

#: Any partner look-up of one number (KYC Match and SIM Swap together) per window.
MAX_REQUESTS_PER_NUMBER = 30
#: KYC Match answers on ``idDocument`` other than "true" for one number per window.
MAX_ID_DOCUMENT_FAILURES_PER_NUMBER = 10
#: The window, from the first look-up of the number in it.
BUDGET_WINDOW_HOURS = 24


class NumberBudgetExhausted(Exception):
    """The number's partner budget for this window is spent: 429 for that number."""

    def __init__(self, msisdn: str, retry_at: datetime | None) -> None:
        super().__init__(msisdn)
        self.retry_at = retry_at


@dataclass(frozen=True)
class BudgetLimits:
    """The budget's numbers; ``from_config`` reads the config keys of the same names."""

    requests: int = MAX_REQUESTS_PER_NUMBER
    id_document_failures: int = MAX_ID_DOCUMENT_FAILURES_PER_NUMBER
    window_hours: int = BUDGET_WINDOW_HOURS

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> BudgetLimits:
        """Defaults overridden by ``PARTNER_NUMBER_MAX_REQUESTS``, ``…_MAX_ID_DOCUMENT_FAILURES``
        and ``…_WINDOW_HOURS``."""
        return cls(
            requests=int(config.get("PARTNER_NUMBER_MAX_REQUESTS", MAX_REQUESTS_PER_NUMBER)),
            id_document_failures=int(
                config.get("PARTNER_NUMBER_MAX_ID_DOCUMENT_FAILURES", MAX_ID_DOCUMENT_FAILURES_PER_NUMBER)
            ),
            window_hours=int(config.get("PARTNER_NUMBER_WINDOW_HOURS", BUDGET_WINDOW_HOURS)),
        )


def spend(session: Session, msisdn: str, *, id_document: bool, now: datetime, limits: BudgetLimits) -> None:
    """Spend one look-up of ``msisdn`` (and reserve one ``idDocument`` failure when it is asked).

    Raises ``NumberBudgetExhausted`` and spends nothing when the budget is
    gone. The row stays locked until the caller's transaction ends: parallel
    look-ups of one number queue and each sees the others' spending.

    One statement: the number's first look-up inserts its row already spent,
    later ones update it in ``ON CONFLICT DO UPDATE … WHERE`` the budget has
    some left or its window is over; no row returned means it had none left.
    PostgreSQL takes the row's lock before the ``WHERE`` is weighed (and weighs
    it on the newest version), so parallel look-ups queue as they did behind
    the plain UPDATE.
    """
    failure = 1 if id_document else 0
    if limits.requests < 1 or failure > limits.id_document_failures:
        _refuse(session, msisdn, now, limits)  # not even a first look-up fits (a config of zeros)
    budget = PartnerNumberBudget
    expired = budget.window_started_at <= now - timedelta(hours=limits.window_hours)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(budget).values(
        msisdn=msisdn, window_started_at=now, requests=1, id_document_failures=failure
    )
    spent = session.execute(
        statement.on_conflict_do_update(
            index_elements=[budget.msisdn],
            set_={
                "requests": case((expired, 1), else_=budget.requests + 1),
                "id_document_failures": case((expired, failure), else_=budget.id_document_failures + failure),
                "window_started_at": case(
                    (expired, literal(now, UTCDateTime)), else_=budget.window_started_at
                ),
            },
            where=or_(
                expired,
                (budget.requests < limits.requests)
                & (budget.id_document_failures + failure <= limits.id_document_failures),
            ),
        )
        .returning(budget.requests)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if spent is None:
        started = session.get(budget, msisdn, populate_existing=True)
        retry_at = started.window_started_at + timedelta(hours=limits.window_hours) if started else None
        raise NumberBudgetExhausted(msisdn, retry_at)


def _refuse(session: Session, msisdn: str, now: datetime, limits: BudgetLimits) -> None:
    """Limits that let no look-up through: the number's window starts (as ever), and it is refused."""
    _ensure_row(session, msisdn, now)
    started = session.get(PartnerNumberBudget, msisdn, populate_existing=True)
    raise NumberBudgetExhausted(msisdn, started.window_started_at + timedelta(hours=limits.window_hours))


def give_back_id_document_failure(session: Session, msisdn: str) -> None:
    """The reserved ``idDocument`` failure was not one (the answer was "true"): return it."""
    budget = PartnerNumberBudget
    session.execute(
        update(budget)
        .where(budget.msisdn == msisdn, budget.id_document_failures > 0)
        .values(id_document_failures=budget.id_document_failures - 1)
        .execution_options(synchronize_session=False)
    )


def _ensure_row(session: Session, msisdn: str, now: datetime) -> None:
    """Create the number's row if it has none; a concurrent creator's row is kept as it is."""
    values = {"msisdn": msisdn, "window_started_at": now, "requests": 0, "id_document_failures": 0}
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(PartnerNumberBudget).values(**values).on_conflict_do_nothing())
