"""Errors raised by the JSON APIs (DESIGN 3.2, CAMARA ErrorInfo).

Views raise ``ApiError(status, code, message)``; ``recovery.errors`` turns it,
and every other HTTP error on an API path (routing, webargs validation, the
size limit), into ``{"status": 400, "code": "INVALID_ARGUMENT", "message": "…"}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from flask import request
from werkzeug.exceptions import HTTPException

#: webargs reports schema errors as 422; our APIs and CAMARA call them 400.
VALIDATION_STATUSES = frozenset({400, 422})


class ApiError(HTTPException):
    """An API error with an explicit status, code and message."""

    def __init__(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(description=message)
        self.code = status
        self.api_code = code
        self.message = message
        self.extra_headers = dict(headers or {})


def validation_message(messages: Any) -> str:
    """Flatten webargs/marshmallow messages into one readable sentence."""
    parts: list[str] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list | tuple):
            for inner in value:
                walk(prefix, inner)
        else:
            parts.append(f"{prefix}: {value}" if prefix else str(value))

    if isinstance(messages, Mapping):
        for location in ("json", "query", "headers", "form", "files", "view_args"):
            if location in messages:
                walk("", messages[location])
        if not parts:
            walk("", messages)
    else:
        walk("", messages)
    return "; ".join(parts)[:500]


def api_error_details(error: HTTPException) -> tuple[int, str | None, str | None]:
    """(status, code, message) for an HTTP error on an API path; None means "the default"."""
    if isinstance(error, ApiError):
        return error.code, error.api_code, error.message
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    if status in VALIDATION_STATUSES and "messages" in data:
        return 400, "INVALID_ARGUMENT", validation_message(data["messages"]) or None
    if status == 422:
        return 400, "INVALID_ARGUMENT", None
    return status, None, None


def json_object_body(view: Callable) -> Callable:
    """Refuse a missing or non-object body with 400 INVALID_ARGUMENT.

    webargs reads an absent or non-JSON body as ``{}``; our API and CAMARA require a body.
    Placed under ``token_required`` so that an anonymous caller learns nothing.
    """

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not isinstance(request.get_json(silent=True), dict):
            raise ApiError(400, "INVALID_ARGUMENT", "The request body must be a JSON object.")
        return view(*args, **kwargs)

    return wrapped
