"""All-or-nothing CSV imports of subscribers and of the call ledger.

Files are streamed: rows are validated one at a time and written in batches
inside one transaction, so memory stays flat however long the file is. The
first invalid row stops the writing; the rest of the file is still checked so
that the operator sees up to ``MAX_REPORTED_ERRORS`` problems at once, and
then everything is rolled back.

The call ledger is the big file (billions of events at an operator). Its rows
are checked in a background thread while the main thread writes the previous
batches, so on PostgreSQL the checking in Python and the server's inserting
run on two cores at once; a bounded queue between them keeps memory flat.
"""

from __future__ import annotations

__all__ = [
    "CALL_HEADER",
    "SUBSCRIBER_HEADER",
    "ImportRejected",
    "ImportResult",
    "RowError",
    "import_calls",
    "import_subscribers",
    "open_source",
    "parse_call_row",
    "parse_subscriber_row",
]

import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from recovery.ledger.rows import (
    CALL_HEADER,
    SUBSCRIBER_HEADER,
    RowInvalid,
    collect,
    parse_call_row,
    parse_subscriber_row,
)
from recovery.ledger.source import ImportRejected, RowError, open_source, read_rows
from recovery.ledger.writers import CallWriter, PostgresCallWriter, write_subscriber_batch

MAX_REPORTED_ERRORS = 20


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    rows: int
    added: int
    updated: int = 0
    #: Known numbers handed to a new owner (counted in ``updated`` too).
    owners_changed: int = 0

    @property
    def skipped(self) -> int:
        """Rows already present (a re-import adds nothing)."""
        return self.rows - self.added - self.updated


#: Rows handed from the checking thread to the writer at a time.
QUEUE_BATCH = 5_000
#: Batches the checking thread may run ahead of the writer (bounds memory).
QUEUE_DEPTH = 40
_DONE = object()


def _check_calls(
    stream: Iterable[bytes],
    errors: list[RowError],
    on_bytes: Callable[[int], None],
    encode: Callable[[list[dict[str, object]]], object],
    out: queue.Queue,
    counts: dict[str, int],
    stop: threading.Event,
) -> None:
    """Check every row; put encoded batches of valid rows on ``out`` until the first error.

    Runs in the checking thread. Ends with ``_DONE`` on ``out``, or with the
    exception that stopped it, so the writer never waits for ever.
    """
    try:
        batch: list[dict[str, object]] = []
        for line, fields in read_rows(stream, CALL_HEADER, errors, on_bytes):
            if stop.is_set():
                break
            counts["rows"] += 1
            try:
                values = parse_call_row(fields)
            except RowInvalid as exc:
                collect(errors, line, exc)
            else:
                if not errors:
                    batch.append(values)
                    if len(batch) >= QUEUE_BATCH:
                        out.put(encode(batch))
                        batch = []
            if len(errors) >= MAX_REPORTED_ERRORS:
                break
        if batch and not errors:
            out.put(encode(batch))
        out.put(_DONE)
    except BaseException as exc:  # handed to the writer's thread, which re-raises it
        out.put(exc)


def import_calls(
    session: Session, stream: Iterable[bytes], on_bytes: Callable[[int], None] = lambda n: None
) -> ImportResult:
    """Import ``calls.csv`` rows; raise ``ImportRejected`` (and write nothing) on any bad row.

    The caller commits on success and rolls back on ``ImportRejected``.
    """
    errors: list[RowError] = []
    counts = {"rows": 0}
    writer = (
        PostgresCallWriter(session)
        if session.get_bind().dialect.name == "postgresql"
        else CallWriter(session)
    )
    batches: queue.Queue = queue.Queue(maxsize=QUEUE_DEPTH)
    stop = threading.Event()
    checker = threading.Thread(
        target=_check_calls,
        args=(stream, errors, on_bytes, writer.encode, batches, counts, stop),
        name="import-calls-check",
        daemon=True,
    )
    checker.start()
    failure: BaseException | None = None
    try:
        while (item := batches.get()) is not _DONE:
            if isinstance(item, BaseException):
                failure = item
                break
            if not errors:
                writer.add_batch(item)
    except BaseException:
        stop.set()
        _drain(batches)
        raise
    finally:
        checker.join()
    if failure is not None:
        writer.abort()
        raise failure
    if errors:
        writer.abort()
        raise ImportRejected(errors[:MAX_REPORTED_ERRORS])
    return ImportResult(rows=counts["rows"], added=writer.finish())


def _drain(batches: queue.Queue) -> None:
    """Let the checking thread finish after the writer failed (it blocks on a full queue)."""
    while (item := batches.get()) is not _DONE and not isinstance(item, BaseException):
        pass


def import_subscribers(
    session: Session,
    stream: Iterable[bytes],
    pii_key: str,
    on_bytes: Callable[[int], None] = lambda n: None,
) -> ImportResult:
    """Import ``subscribers.csv``: new numbers are added, known ones updated.

    A row whose ICCID differs from the number's current SIM is refused: a SIM
    change goes through a reissue, never through a file. A row naming another
    person (another passport) for a known number hands the number to them: the
    old contract ends, a new one starts on the row's new SIM (``writers``). The caller commits
    on success and rolls back on ``ImportRejected``.
    """
    errors: list[RowError] = []
    seen_msisdns: dict[str, int] = {}
    seen_iccids: dict[str, int] = {}
    batch: list[tuple[int, dict[str, object]]] = []
    counts = {"rows": 0, "added": 0, "updated": 0, "owners_changed": 0}

    def flush() -> None:
        write_subscriber_batch(session, batch, errors, counts)
        batch.clear()

    for line, fields in read_rows(stream, SUBSCRIBER_HEADER, errors, on_bytes):
        counts["rows"] += 1
        try:
            values = parse_subscriber_row(fields, pii_key)
            for key, seen, label in (("msisdn", seen_msisdns, "msisdn"), ("iccid", seen_iccids, "iccid")):
                first = seen.setdefault(str(values[key]), line)
                if first != line:
                    raise RowInvalid(f"{label}: repeats line {first}")
        except RowInvalid as exc:
            collect(errors, line, exc)
        else:
            batch.append((line, values))
            if len(batch) >= 1_000:
                flush()
        if len(errors) >= MAX_REPORTED_ERRORS:
            break
    if not errors:
        flush()
    if errors:
        raise ImportRejected(errors[:MAX_REPORTED_ERRORS])
    return ImportResult(
        rows=counts["rows"],
        added=counts["added"],
        updated=counts["updated"],
        owners_changed=counts["owners_changed"],
    )
