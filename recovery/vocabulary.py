"""The claim vocabulary: what is asked, decided and opened, free of Flask and SQLAlchemy.

The verification engine, the models (as column types) and the views share
these names; importing them loads neither the web framework nor the database.
"""

from __future__ import annotations

import enum


class Channel(enum.StrEnum):
    """Where a claim or an action came from."""

    WEB = "web"
    AGENT = "agent"
    API = "api"
    ACCOUNT = "account"
    OFFICE = "office"
    CLI = "cli"


class Action(enum.StrEnum):
    """What the claimant asks for."""

    BLOCK = "block"
    REISSUE = "reissue"


class Outcome(enum.StrEnum):
    """The decision on a claim (DESIGN 2.3)."""

    REISSUE = "reissue"
    BLOCK = "block"
    REJECTED = "rejected"
    LOCKED = "locked"


class TicketType(enum.StrEnum):
    """A block is done at once; a reissue waits for an office."""

    BLOCK = "block"
    REISSUE = "reissue"


class TicketStatus(enum.StrEnum):
    """Where a ticket stands."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"
