"""The SIM inventory: the card vendor's file (``sims.csv``) and the look-ups on it.

``sims.csv`` header: ``iccid,imsi,ki,opc``. The import is all-or-nothing like
the subscriber and ledger imports (``recovery.ledger.source``): every bad row
is reported as ``line N: reason`` and nothing is written. Ki and OPc are never
put in an error message, a log line or an audit row: a reason names the field,
not its value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from recovery.iccid import InvalidIccid, normalise_iccid
from recovery.ledger.imports import MAX_REPORTED_ERRORS, ImportResult
from recovery.ledger.rows import RowInvalid, collect
from recovery.ledger.source import ImportRejected, RowError, read_rows
from recovery.models import InventorySim, Sim

SIM_HEADER = ("iccid", "imsi", "ki", "opc")
_IMSI_RE = re.compile(r"^\d{15}$")
_KEY_RE = re.compile(r"^[0-9a-fA-F]{32}$")
BATCH = 1_000


class SimNotInInventory(Exception):
    """The ICCID typed at hand-over is not a card of our inventory (a 409 in web and API)."""


def parse_sim_row(fields: list[str]) -> dict[str, str]:
    """Validate one ``sims.csv`` row; keys come back lower-case hex."""
    iccid, imsi, ki, opc = (field.strip() for field in fields)
    try:
        values = {"iccid": normalise_iccid(iccid)}
    except InvalidIccid as exc:
        raise RowInvalid(f"iccid: {exc}") from None
    if not _IMSI_RE.match(imsi):
        raise RowInvalid("imsi: must be 15 digits")
    values["imsi"] = imsi
    for name, key in (("ki", ki), ("opc", opc)):
        if not _KEY_RE.match(key):
            raise RowInvalid(f"{name}: must be 32 hexadecimal digits")
        values[name] = key.lower()
    return values


def import_sims(
    session: Session, stream: Iterable[bytes], on_bytes: Callable[[int], None] = lambda n: None
) -> ImportResult:
    """Import ``sims.csv``: new cards are added; a card already held (same ICCID and IMSI) is skipped.

    A row whose ICCID or IMSI is already held with a different partner is refused:
    a card's identity never changes. The caller commits, or rolls back on ``ImportRejected``.
    """
    errors: list[RowError] = []
    seen: dict[str, dict[str, int]] = {"iccid": {}, "imsi": {}}
    rows: list[tuple[int, dict[str, str]]] = []
    counts = {"rows": 0, "added": 0}
    for line, fields in read_rows(stream, SIM_HEADER, errors, on_bytes):
        counts["rows"] += 1
        try:
            values = parse_sim_row(fields)
            for key in ("iccid", "imsi"):
                first = seen[key].setdefault(values[key], line)
                if first != line:
                    raise RowInvalid(f"{key}: repeats line {first}")
        except RowInvalid as exc:
            collect(errors, line, exc)
        else:
            rows.append((line, values))
            if len(rows) >= BATCH:
                _write(session, rows, errors, counts)
                rows.clear()
        if len(errors) >= MAX_REPORTED_ERRORS:
            break
    if not errors:
        _write(session, rows, errors, counts)
    if errors:
        raise ImportRejected(errors[:MAX_REPORTED_ERRORS])
    return ImportResult(rows=counts["rows"], added=counts["added"])


def _write(
    session: Session, rows: list[tuple[int, dict[str, str]]], errors: list[RowError], counts: dict[str, int]
) -> None:
    """Add the batch's new cards; a known ICCID or IMSI with another partner is a row error."""
    if not rows:
        return
    iccids = [values["iccid"] for _, values in rows]
    imsis = [values["imsi"] for _, values in rows]
    held = session.execute(
        select(InventorySim.iccid, InventorySim.imsi).where(
            InventorySim.iccid.in_(iccids) | InventorySim.imsi.in_(imsis)
        )
    ).all()
    by_iccid = {iccid: imsi for iccid, imsi in held}
    by_imsi = {imsi: iccid for iccid, imsi in held}
    for line, values in rows:
        iccid, imsi = values["iccid"], values["imsi"]
        if by_iccid.get(iccid) == imsi:
            continue
        if iccid in by_iccid:
            errors.append(RowError(line, "iccid: already in the inventory with another IMSI"))
        elif imsi in by_imsi:
            errors.append(RowError(line, "imsi: already in the inventory with another ICCID"))
        elif not errors:
            session.add(InventorySim(**values))
            counts["added"] += 1
    session.flush()


def find(session: Session, iccid: str | None) -> InventorySim | None:
    """The inventory card with ``iccid``, if we hold it."""
    if iccid is None:
        return None
    return session.scalar(select(InventorySim).where(InventorySim.iccid == iccid))


def imsi_of(session: Session, iccid: str | None) -> str | None:
    """The IMSI of the card ``iccid`` (None for a card not in the inventory)."""
    if iccid is None:
        return None
    return session.scalar(select(InventorySim.imsi).where(InventorySim.iccid == iccid))


def require_unused(session: Session, iccid: str) -> InventorySim:
    """The inventory card for a hand-over: raise :class:`SimNotInInventory` when we do not hold it.

    A card already on a number is refused by the SIMs' unique ICCID (``IccidInUse``);
    it is checked here too so that the office hears it before anything is written.
    """
    card = find(session, iccid)
    if card is None:
        raise SimNotInInventory(iccid)
    if session.scalar(select(Sim.id).where(Sim.iccid == iccid)) is not None:
        from recovery.claims.tickets import IccidInUse

        raise IccidInUse(iccid)
    return card


def check_hand_over(session: Session, iccid: str) -> None:
    """At fulfilment: the new card must be ours and unused, where ``SIM_INVENTORY_REQUIRED`` (default on)."""
    from flask import current_app, has_app_context

    if has_app_context() and not current_app.config.get("SIM_INVENTORY_REQUIRED", True):
        return
    require_unused(session, iccid)
