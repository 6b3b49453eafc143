"""Ticket references a person can read out on the phone: ``R-7K4M-2Q9``.

The ticket's UUID stays the internal key; customers, e-mails and staff pages
show the reference. Seven characters from an alphabet without look-alikes
give 26^7 ≈ 8·10^9 values; the database keeps them unique (``Ticket.reference``).
"""

from __future__ import annotations

import re
import secrets

from sqlalchemy import Connection, text

#: Digits and Latin capitals that are not read or written like another: no 0/O, 1/I/L, 8/B, S, Z, U.
ALPHABET = "2345679ACDEFGHJKMNPQRTVWXY"
PREFIX = "R"
_GROUPS = (4, 3)
_TYPED = re.compile(r"[\s\-–—_.]+")
#: Draws checked against the tickets before the last, unchecked one is left to the unique index.
_TRIES = 5
_TAKEN = text("SELECT 1 FROM tickets WHERE reference = :reference")


def new_reference() -> str:
    """A random reference such as ``R-7K4M-2Q9``."""
    characters = "".join(secrets.choice(ALPHABET) for _ in range(sum(_GROUPS)))
    return f"{PREFIX}-{characters[: _GROUPS[0]]}-{characters[_GROUPS[0] :]}"


def unused_reference(connection: Connection) -> str:
    """A new reference no ticket holds yet (the unique index still settles a race)."""
    for _ in range(_TRIES - 1):
        reference = new_reference()
        if connection.execute(_TAKEN, {"reference": reference}).first() is None:
            return reference
    return new_reference()


def normalise_reference(typed: str) -> str | None:
    """A reference as typed (any case, spaces or dashes anywhere) in its canonical form, or None."""
    compact = _TYPED.sub("", (typed or "").upper())
    if compact.startswith(PREFIX) and len(compact) == 1 + sum(_GROUPS):
        compact = compact[1:]
    if len(compact) != sum(_GROUPS) or any(character not in ALPHABET for character in compact):
        return None
    return f"{PREFIX}-{compact[: _GROUPS[0]]}-{compact[_GROUPS[0] :]}"
