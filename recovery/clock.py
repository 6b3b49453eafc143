"""The application's clock: the one source of "now" at every boundary.

Use-cases take ``now`` as an argument; views, commands and column defaults read
it here, so that tests move time by setting ``CLOCK`` in the config instead of
sleeping. Outside an app context (a plain ``Session`` in a test, Alembic) it is
the system clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app, has_app_context


def now() -> datetime:
    """The current instant (timezone-aware), from ``CLOCK`` when the config sets one."""
    clock: Callable[[], datetime] | None = current_app.config.get("CLOCK") if has_app_context() else None
    return clock() if clock is not None else datetime.now(UTC)
