"""Reading an import file: stdin or a path, ``.gz`` decompressed, decoded and split into CSV rows."""

from __future__ import annotations

import csv
import gzip
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO

MAX_FIELD_LENGTH = 500


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


def read_rows(
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
