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

import contextlib
import csv
import gzip
import queue
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import IO

import psycopg
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from recovery.iccid import InvalidIccid, normalise_iccid
from recovery.models import CallEvent, CallKind, Sim, SimStatus, Subscriber
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

MAX_REPORTED_ERRORS = 20
BATCH_SIZE = 5_000
MAX_FIELD_LENGTH = 500
#: A call longer than a day is a billing fault, not a call.
MAX_DURATION_S = 86_400
MAX_BALANCE_RUB = Decimal("10000000")


class RowInvalid(ValueError):
    """One field of one row is wrong; the message says which and why."""


@dataclass(frozen=True)
class RowError:
    """A problem found on one line of the file."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class ImportRejected(Exception):
    """The file had invalid rows; nothing of it was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} invalid row(s)")
        self.errors = errors


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    rows: int
    added: int
    updated: int = 0

    @property
    def skipped(self) -> int:
        """Rows already present (a re-import adds nothing)."""
        return self.rows - self.added - self.updated


def open_source(path: str) -> IO[bytes]:
    """Open ``path`` for reading bytes: ``-`` is stdin, ``*.gz`` is decompressed."""
    if path == "-":
        return sys.stdin.buffer
    if path.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


class _Lines:
    """Decoded lines of a byte stream; an undecodable line becomes an error."""

    def __init__(self, stream: Iterable[bytes], errors: list[RowError], on_bytes: Callable[[int], None]):
        self.stream = stream
        self.errors = errors
        self.on_bytes = on_bytes
        self.number = 0
        self.bad_lines: set[int] = set()

    def __iter__(self) -> Iterator[str]:
        for raw in self.stream:
            self.number += 1
            self.on_bytes(len(raw))
            try:
                text = raw.decode("utf-8-sig" if self.number == 1 else "utf-8")
            except UnicodeDecodeError:
                self.bad_lines.add(self.number)
                self.errors.append(RowError(self.number, "not valid UTF-8"))
                text = raw.decode("utf-8", errors="replace")
            yield text


def _rows(
    stream: Iterable[bytes],
    header: tuple[str, ...],
    errors: list[RowError],
    on_bytes: Callable[[int], None],
) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, fields) for each well-formed data row."""
    lines = _Lines(stream, errors, on_bytes)
    reader = csv.reader(lines, strict=True)
    try:
        first = next(reader, None)
        if first is None or tuple(name.strip() for name in first) != header:
            errors.append(RowError(1, f"header must be {','.join(header)}"))
            return
        for fields in reader:
            line = lines.number
            if line in lines.bad_lines:
                continue
            if not fields or fields == [""]:
                continue
            if len(fields) != len(header):
                errors.append(RowError(line, f"expected {len(header)} columns, found {len(fields)}"))
                continue
            if max(map(len, fields)) > MAX_FIELD_LENGTH:
                errors.append(RowError(line, f"a field is longer than {MAX_FIELD_LENGTH} characters"))
                continue
            yield line, fields
    except csv.Error as exc:
        errors.append(RowError(lines.number, f"malformed CSV ({exc})"))


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


def _collect(errors: list[RowError], line: int, exc: RowInvalid) -> None:
    errors.append(RowError(line, str(exc)))


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
        for line, fields in _rows(stream, CALL_HEADER, errors, on_bytes):
            if stop.is_set():
                break
            counts["rows"] += 1
            try:
                values = parse_call_row(fields)
            except RowInvalid as exc:
                _collect(errors, line, exc)
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
        _PostgresCallWriter(session)
        if session.get_bind().dialect.name == "postgresql"
        else _CallWriter(session)
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


class _CallWriter:
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


class _PostgresCallWriter:
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


def import_subscribers(
    session: Session,
    stream: Iterable[bytes],
    pii_key: str,
    on_bytes: Callable[[int], None] = lambda n: None,
) -> ImportResult:
    """Import ``subscribers.csv``: new numbers are added, known ones updated.

    A row whose ICCID differs from the number's current SIM is refused: a SIM
    change goes through a reissue, never through a file. The caller commits
    on success and rolls back on ``ImportRejected``.
    """
    errors: list[RowError] = []
    seen_msisdns: dict[str, int] = {}
    seen_iccids: dict[str, int] = {}
    batch: list[tuple[int, dict[str, object]]] = []
    counts = {"rows": 0, "added": 0, "updated": 0}

    def flush() -> None:
        _write_subscriber_batch(session, batch, errors, counts)
        batch.clear()

    for line, fields in _rows(stream, SUBSCRIBER_HEADER, errors, on_bytes):
        counts["rows"] += 1
        try:
            values = parse_subscriber_row(fields, pii_key)
            for key, seen, label in (("msisdn", seen_msisdns, "msisdn"), ("iccid", seen_iccids, "iccid")):
                first = seen.setdefault(str(values[key]), line)
                if first != line:
                    raise RowInvalid(f"{label}: repeats line {first}")
        except RowInvalid as exc:
            _collect(errors, line, exc)
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
    return ImportResult(rows=counts["rows"], added=counts["added"], updated=counts["updated"])


_SIM_FIELDS = ("iccid", "activated_at")


def _write_subscriber_batch(
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
