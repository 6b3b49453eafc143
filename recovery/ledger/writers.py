"""Writing checked rows: the call ledger (portable and PostgreSQL COPY) and subscribers."""

from __future__ import annotations

import contextlib
from datetime import datetime

import psycopg
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from recovery import audit
from recovery.contracts import change_owner, open_contract
from recovery.ledger.source import ImportRejected, RowError
from recovery.models import (
    Account,
    CallEvent,
    Channel,
    Sim,
    SimStatus,
    Subscriber,
    Ticket,
    TicketStatus,
    TicketType,
)


class CallWriter:
    """Portable batched INSERT … ON CONFLICT DO NOTHING (SQLite and others)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.batch: list[dict[str, object]] = []
        self.added = 0
        self.statement = insert(CallEvent.__table__).prefix_with("OR IGNORE", dialect="sqlite")

    @staticmethod
    def encode(batch: list[dict[str, object]]) -> list[dict[str, object]]:
        """Checked rows as the INSERT takes them (as they are)."""
        return batch

    def add_batch(self, batch: list[dict[str, object]]) -> None:
        """Insert a batch of checked rows; rows already in the ledger are skipped."""
        result = self.session.execute(self.statement, batch)
        self.added += max(result.rowcount, 0)

    def finish(self) -> int:
        """How many rows were added."""
        return self.added

    def abort(self) -> None:
        """Nothing to undo here: the caller rolls the transaction back."""


class PostgresCallWriter:
    """COPY into a temporary table, then INSERT … ON CONFLICT DO NOTHING, chunk by chunk.

    COPY is PostgreSQL's bulk path; the INSERT lets the unique natural key
    drop rows that are already in the ledger (or repeated in the file). Each
    chunk's INSERT runs on the server while the checking thread prepares the
    next chunk, which is why the file is not sent in one piece.
    """

    COLUMNS = ("caller", "callee", "started_at", "duration_s", "kind", "region")
    #: Rows per COPY + INSERT round.
    CHUNK_ROWS = 200_000

    def __init__(self, session: Session) -> None:
        self.cursor = session.connection().connection.driver_connection.cursor()
        self.cursor.execute(
            "CREATE TEMP TABLE call_events_import (caller text, callee text, started_at timestamptz,"
            " duration_s integer, kind text, region text) ON COMMIT DROP"
        )
        self.copy_cm: contextlib.AbstractContextManager | None = None
        self.copy = None
        self.chunk_rows = 0
        self.added = 0

    @staticmethod
    def encode(batch: list[dict[str, object]]) -> tuple[int, bytes]:
        """Checked rows as COPY text. Every field was validated to a form without tabs,
        backslashes or line breaks (E.164 or a service number, ISO time, integer,
        enum value, region code), so none needs escaping."""
        text = "".join(
            f"{v['caller']}\t{v['callee']}\t{v['started_at'].isoformat()}\t{v['duration_s']}"  # type: ignore[union-attr]
            f"\t{v['kind'].value}\t{v['region']}\n"  # type: ignore[union-attr]
            for v in batch
        )
        return len(batch), text.encode()

    def add_batch(self, encoded: tuple[int, bytes]) -> None:
        """Send a batch to the temporary table; move a full chunk into the ledger."""
        rows, data = encoded
        if self.copy_cm is None:
            self.copy_cm = self.cursor.copy(f"COPY call_events_import ({', '.join(self.COLUMNS)}) FROM STDIN")
            self.copy = self.copy_cm.__enter__()
        self.copy.write(data)
        self.chunk_rows += rows
        if self.chunk_rows >= self.CHUNK_ROWS:
            self._move_chunk()

    def _move_chunk(self) -> None:
        if self.copy_cm is not None:
            self.copy_cm.__exit__(None, None, None)
            self.copy_cm = self.copy = None
        if self.chunk_rows:
            columns = ", ".join(self.COLUMNS)
            self.cursor.execute(
                f"INSERT INTO call_events ({columns}) SELECT {columns} FROM call_events_import"  # noqa: S608
                " ON CONFLICT DO NOTHING"
            )
            self.added += max(self.cursor.rowcount, 0)
            self.cursor.execute("TRUNCATE call_events_import")
        self.chunk_rows = 0

    def abort(self) -> None:
        """End an open COPY with an error so that the connection can be rolled back."""
        if self.copy_cm is not None:
            with contextlib.suppress(psycopg.Error):
                self.copy_cm.__exit__(ImportRejected, ImportRejected([]), None)
            self.copy_cm = self.copy = None

    def finish(self) -> int:
        """Move the last chunk, drop the temporary table; return how many rows were added."""
        self._move_chunk()
        self.cursor.execute("DROP TABLE call_events_import")
        return self.added


_SIM_FIELDS = ("iccid", "activated_at")


def write_subscriber_batch(
    session: Session,
    batch: list[tuple[int, dict[str, object]]],
    errors: list[RowError],
    counts: dict[str, int],
) -> None:
    """Add the new numbers (with a SIM and a contract), update the known ones, hand numbers on.

    A row for a known number with another passport is the number's new owner:
    the old contract ends and a new one opens at the row's ``activated_at``, on
    a new SIM (``_change_owner``). With the same passport the row may not change
    the SIM: that is a reissue's business.
    """
    if not batch or errors:
        return
    msisdns = [str(values["msisdn"]) for _, values in batch]
    iccids = [str(values["iccid"]) for _, values in batch]
    existing = {
        s.msisdn: s for s in session.scalars(select(Subscriber).where(Subscriber.msisdn.in_(msisdns)))
    }
    sim_owner = dict(session.execute(select(Sim.iccid, Sim.subscriber_id).where(Sim.iccid.in_(iccids))).all())
    for line, values in batch:
        subscriber = existing.get(str(values["msisdn"]))
        iccid = str(values["iccid"])
        owner = sim_owner.get(iccid)
        if subscriber is None:
            if owner is not None:
                errors.append(RowError(line, "iccid: belongs to another number"))
                continue
            subscriber = Subscriber(**{k: v for k, v in values.items() if k not in _SIM_FIELDS})
            subscriber.sims.append(
                Sim(iccid=iccid, status=SimStatus.ACTIVE, activated_at=values["activated_at"])
            )
            open_contract(subscriber, values["activated_at"])
            session.add(subscriber)
            counts["added"] += 1
            continue
        if values["passport_hmac"] != subscriber.passport_hmac:
            problem = _change_owner(session, subscriber, values, owner)
            if problem is not None:
                errors.append(RowError(line, problem))
                continue
            counts["updated"] += 1
            counts["owners_changed"] += 1
            continue
        current = subscriber.current_sim
        if owner != subscriber.id or (current is not None and current.iccid != iccid):
            errors.append(
                RowError(line, "iccid: differs from the number's current SIM (SIM changes need a reissue)")
            )
            continue
        changed = False
        for key, value in values.items():
            if key not in _SIM_FIELDS and getattr(subscriber, key) != value:
                setattr(subscriber, key, value)
                changed = True
        counts["updated"] += int(changed)
    if not errors:
        session.flush()


def _change_owner(
    session: Session, subscriber: Subscriber, values: dict[str, object], iccid_owner: int | None
) -> str | None:
    """Hand ``subscriber``'s number to the person of ``values``; the reason when the row cannot.

    The number's record becomes the new owner's: identity, tariff and balance
    from the row, a new SIM, the old SIMs retired, a new contract. What was the
    old owner's own goes: the personal-account login (else the old owner could
    sign in to the new owner's line) and the SIM lock. A number with a reissue
    ticket open is refused: the office would hand the new owner's number to the
    old one.
    """
    if iccid_owner == subscriber.id:
        return "iccid: a new owner of the number needs a new SIM"
    if iccid_owner is not None:
        return "iccid: belongs to another number"
    at = values["activated_at"]
    assert isinstance(at, datetime)
    current = subscriber.current_contract
    if current is not None and at <= current.started_at:
        return "activated_at: a new owner's SIM must be activated after the present owner's contract began"
    # The query of claims.tickets.open_reissue_of (importing it here would be circular).
    open_ticket = session.scalar(
        select(Ticket.id).where(
            Ticket.subscriber_id == subscriber.id,
            Ticket.type == TicketType.REISSUE,
            Ticket.status == TicketStatus.OPEN,
        )
    )
    if open_ticket is not None:
        return "msisdn: a reissue is open for the number; close it before the number changes owner"
    for sim in subscriber.sims:
        if sim.status != SimStatus.RETIRED:
            sim.status = SimStatus.RETIRED
            sim.retired_at = at
    session.flush()
    subscriber.sims.append(Sim(iccid=str(values["iccid"]), status=SimStatus.ACTIVE, activated_at=at))
    for key, value in values.items():
        if key not in _SIM_FIELDS:
            setattr(subscriber, key, value)
    subscriber.reissue_in_person_only = False
    subscriber.reissue_lock_release_at = None
    session.execute(delete(Account).where(Account.subscriber_id == subscriber.id))
    change_owner(session, subscriber, at)
    audit.record(
        session,
        actor="cli",
        action="subscriber.owner_changed",
        channel=Channel.CLI,
        subject=subscriber.msisdn,
        at=at.isoformat(),
    )
    return None
