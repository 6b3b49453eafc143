"""Writing checked rows: the call ledger (portable and PostgreSQL COPY) and subscribers."""

from __future__ import annotations

import contextlib

import psycopg
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from recovery.ledger.source import ImportRejected, RowError
from recovery.models import CallEvent, Sim, SimStatus, Subscriber


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
            session.add(subscriber)
            counts["added"] += 1
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
