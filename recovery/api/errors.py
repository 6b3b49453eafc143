"""The JSON error shape of every API (DESIGN 3.2, CAMARA ErrorInfo).

``{"status": 400, "code": "INVALID_ARGUMENT", "message": "…"}`` for every
error under ``/api/`` and ``/camara/``, whatever raised it: a view, webargs
validation, routing (404/405) or the request size limit (413).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException

API_PREFIXES = ("/api/", "/camara/")

DEFAULT_CODES: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "INVALID_ARGUMENT",
    422: "INVALID_ARGUMENT",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
DEFAULT_MESSAGES: dict[int, str] = {
    400: "Client specified an invalid argument, request body or query param.",
    401: "Request not authenticated due to missing, invalid, or expired credentials.",
    403: "Client does not have sufficient permissions to perform this action.",
    404: "The specified resource is not found.",
    405: "The method is not allowed for this resource.",
    409: "The request conflicts with the current state of the resource.",
    413: "The request body is too large.",
    415: "The request body must be JSON.",
    429: "Too many requests; retry later.",
    500: "Internal server error.",
    503: "The service is temporarily unavailable.",
}


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


def is_api_request() -> bool:
    """True when the current request addresses a JSON API."""
    return request.path.startswith(API_PREFIXES)


def error_response(status: int, code: str | None = None, message: str | None = None) -> Response:
    """A JSON error response in the API's shape."""
    response = jsonify(
        status=status,
        code=code or DEFAULT_CODES.get(status, "INTERNAL" if status >= 500 else "INVALID_ARGUMENT"),
        message=message or DEFAULT_MESSAGES.get(status, "Request failed."),
    )
    response.status_code = status
    return response


def _validation_message(messages: Any) -> str:
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
    return "; ".join(parts)[:500] or DEFAULT_MESSAGES[400]


def api_error_response(error: HTTPException) -> Response:
    """Turn any HTTP exception raised on an API path into the JSON shape."""
    if isinstance(error, ApiError):
        response = error_response(error.code, error.api_code, error.message)
        response.headers.update(error.extra_headers)
        return response
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    message = None
    if status in (400, 422) and "messages" in data:
        status, message = 400, _validation_message(data["messages"])
    elif status == 422:
        status = 400
    response = error_response(status, message=message)
    retry_after = error.get_headers() if hasattr(error, "get_headers") else []
    for name, value in retry_after:
        if name.lower() == "retry-after":
            response.headers["Retry-After"] = value
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    return response
