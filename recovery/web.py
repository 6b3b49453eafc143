"""What kind of request this is: a token-only JSON API call, or a page.

Error handlers, CSRF and the session rules ask here, so that the answer is
the same everywhere (``API_PATH_PREFIXES`` in the configuration).
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app, request


def is_api_path(path: str, prefixes: Iterable[str]) -> bool:
    """True when ``path`` belongs to a token-only JSON API."""
    return any(path.startswith(prefix) for prefix in prefixes)


def is_api_request() -> bool:
    """True when the current request is for a JSON API (``API_PATH_PREFIXES``)."""
    return is_api_path(request.path, current_app.config["API_PATH_PREFIXES"])
