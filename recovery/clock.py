"""The application's clock: use-cases take ``now`` as an argument, and views
read it here, so that tests move time by setting ``CLOCK`` in the config
instead of sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import current_app

from recovery.models.types import utcnow


def now() -> datetime:
    """The current instant (timezone-aware), from ``CLOCK`` when the config sets one."""
    clock: Callable[[], datetime] | None = current_app.config.get("CLOCK")
    return clock() if clock is not None else utcnow()
