"""Error responses: one JSON shape for the APIs, one page (Russian/English) for people.

Paths under ``API_PATH_PREFIXES`` (``/api/``, ``/camara/``) always answer
``{"status": 404, "code": "NOT_FOUND", "message": "…"}`` (DESIGN 3.2); every
other path gets ``templates/errors/error.html``. A database that does not
answer is a 503 (the session is rolled back), never a 500 with a stack trace.

Feature code that needs an error body of its own calls ``json_error`` (the
JSON APIs) or simply ``abort(status)``; a flask-smorest ``Api`` can route its
``handle_http_exception`` to ``http_error_response`` here, so every error keeps
one shape.
"""

from __future__ import annotations

import logging
import math
import re
import time

from flask import Flask, Response, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from limits.errors import StorageError
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, ServiceUnavailable
from werkzeug.http import HTTP_STATUS_CODES

from recovery.api.errors import api_error_details
from recovery.extensions import db, limiter, login_manager
from recovery.security.limiter import RateLimitStoreUnavailable
from recovery.web import is_api_request

log = logging.getLogger("recovery.security")

#: JSON error codes by HTTP status (DESIGN 3.2, CAMARA's common codes).
ERROR_CODES: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}

#: JSON messages used when the code that raised the error gave none of its own
#: (CAMARA's wording where it has one).
ERROR_MESSAGES: dict[int, str] = {
    400: "Client specified an invalid argument, request body or query param.",
    401: "Request not authenticated due to missing, invalid, or expired credentials.",
    403: "Client does not have sufficient permissions to perform this action.",
    404: "The specified resource is not found.",
    405: "This method is not allowed here.",
    409: "The request conflicts with the current state.",
    413: "The request body is too large.",
    429: "Too many requests; retry after the number of seconds in Retry-After.",
    500: "Internal error.",
    503: "The service is temporarily unavailable; retry later.",
}

#: Title and explanation of the error page, by status.
PAGE_TEXTS = {
    400: (
        _l("The request could not be processed"),
        _l("Please go back, check what you entered and try again."),
    ),
    401: (_l("Please sign in"), _l("You need to sign in to open this page.")),
    403: (_l("Access denied"), _l("You do not have permission to open this page.")),
    404: (
        _l("Page not found"),
        _l("There is no such page. Check the address or start again from the home page."),
    ),
    405: (
        _l("This action is not available here"),
        _l("This page does not accept this kind of request. Please start again from the home page."),
    ),
    413: (_l("Too much data"), _l("What you sent is too large. Please shorten it and try again.")),
    429: (
        _l("Too many attempts"),
        _l("For your security, the number of attempts is limited. Please try again later."),
    ),
    500: (_l("Something went wrong"), _l("We could not complete your request. Please try again later.")),
    503: (
        _l("Service temporarily unavailable"),
        _l("The service is paused for a short while. Please try again in a few minutes."),
    ),
}
CSRF_PAGE_TEXT = (
    _l("This form has expired"),
    _l("For your security, forms expire after a while. Please go back, reload the page and send it again."),
)
GENERIC_PAGE_TEXT = (_l("The request could not be completed"), _l("Please start again from the home page."))
# Shown where a person might be kept from blocking a stolen SIM: the way that
# never depends on this site (ASVS 6.1.1: limits must not lock the owner out).
URGENT_HINT = _l(
    "To block your SIM urgently, call 0890 from any phone or visit one of our offices with your passport."
)
URGENT_STATUSES = frozenset({429, 500, 503})

#: Retry-After for a 503: long enough for a restart, short enough for a person.
UNAVAILABLE_RETRY_AFTER = 30
# CAMARA's x-correlator pattern; anything else is not echoed.
_CORRELATOR = re.compile(r"^[a-zA-Z0-9\-_:;./<>{}]{0,256}$")


def error_code(status: int) -> str:
    """The JSON ``code`` for an HTTP status (``NOT_FOUND``; unknown ones from their reason phrase)."""
    if status in ERROR_CODES:
        return ERROR_CODES[status]
    return re.sub(r"[^A-Z]+", "_", HTTP_STATUS_CODES.get(status, "error").upper()).strip("_")


def json_error(
    status: int,
    code: str | None = None,
    message: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The API error body ``{"status", "code", "message"}`` as a response with ``status``."""
    response = jsonify(
        status=status,
        code=code or error_code(status),
        message=message or ERROR_MESSAGES.get(status, "The request could not be completed."),
    )
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    correlator = request.headers.get("x-correlator")
    if correlator is not None and _CORRELATOR.match(correlator) and request.path.startswith("/camara/"):
        response.headers["x-correlator"] = correlator
    return response


def _retry_after(error: HTTPException) -> int | None:
    """Seconds until a retry may succeed (rate limit window, or a fixed pause for a 503)."""
    if isinstance(error, RateLimitExceeded):
        try:
            current = limiter.current_limit
            if current is not None:
                return max(1, math.ceil(current.reset_at - time.time()))
        except StorageError:
            pass
        return max(1, error.limit.limit.get_expiry())
    if error.code == 503:
        return UNAVAILABLE_RETRY_AFTER
    return None


def _extra_headers(error: HTTPException) -> dict[str, str]:
    # Keep what the exception says about itself (Allow on a 405), but not its HTML content type.
    headers = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
    retry_after = _retry_after(error)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return headers


def _page_text(error: HTTPException) -> tuple[str, str]:
    if isinstance(error, CSRFError):
        return CSRF_PAGE_TEXT
    return PAGE_TEXTS.get(error.code or 500, GENERIC_PAGE_TEXT)


def _render_page(error: HTTPException, headers: dict[str, str]) -> Response:
    status = error.code or 500
    title, text = _page_text(error)
    retry_after = headers.get("Retry-After")
    try:
        body = render_template(
            "errors/error.html",
            status=status,
            title=title,
            text=text,
            retry_minutes=math.ceil(int(retry_after) / 60) if retry_after and status == 429 else None,
            urgent=URGENT_HINT if status in URGENT_STATUSES else None,
        )
    except Exception:  # the page must not fail the error it reports (e.g. the database is down)
        log.exception("error page %s could not be rendered", status)
        later = _("Please try again later.")
        body = f"<!doctype html><title>{status}</title><h1>{status}</h1><p>{later}</p>"
    response = Response(body, status=status, mimetype="text/html")
    for name, value in headers.items():
        response.headers[name] = value
    return response


def http_error_response(error: HTTPException) -> Response | HTTPException:
    """The response for an HTTP error: JSON on API paths, the error page elsewhere."""
    if error.code is None or error.code < 400:
        return error
    if error.response is not None:
        return error.response
    status = error.code
    if status in (403, 429, 503):
        log.warning("%s %s %s from %s", status, request.method, request.path, request.remote_addr)
    headers = _extra_headers(error)
    if is_api_request():
        status, code, message = api_error_details(error)
        headers.update(getattr(error, "extra_headers", {}))
        if status == 401:
            headers.setdefault("WWW-Authenticate", 'Bearer realm="recovery"')
        # A message given by the raising code is meant for the client; the
        # class's stock text, a limit string or an internal error's is not.
        if message is None and status not in (429, 500) and error.description != type(error).description:
            message = error.description
        return json_error(status, code=code, message=message, headers=headers)
    return _render_page(error, headers)


def database_unavailable(error: DBAPIError) -> Response | HTTPException:
    """A database that does not answer: roll back, answer 503 (page or JSON)."""
    if not isinstance(error, OperationalError) and not error.connection_invalidated:
        raise error  # a real bug (an IntegrityError, a bad statement): let it be a 500
    # The class names only: the message may quote SQL.
    log.error("database unavailable (%s: %s)", type(error).__name__, type(error.orig).__name__)
    try:
        db.session.rollback()
    except SQLAlchemyError:
        log.warning("rollback after a database failure failed as well")
    if "_login_user" not in g:
        # The user could not be loaded (that is how the failure showed): the error page is for
        # an anonymous visitor, or rendering it would ask the database again and fall back to
        # the bare page without the 0890 hint. ``g._login_user`` is where Flask-Login keeps the user.
        g._login_user = login_manager.anonymous_user()
    return http_error_response(ServiceUnavailable())


def rate_limit_store_unavailable(error: StorageError) -> Response | HTTPException:
    """The rate-limit store failed after the limits were checked (rare): 503."""
    log.error("rate-limit store unreachable during a request (%s)", type(error).__name__)
    return http_error_response(RateLimitStoreUnavailable())


def register_error_handlers(app: Flask) -> None:
    """Install the handlers on ``app`` (called by ``create_app``)."""
    # Also answers unhandled exceptions (as InternalServerError) once Flask has logged them;
    # under TESTING they propagate instead, so that a failing test shows its traceback.
    app.register_error_handler(HTTPException, http_error_response)
    app.register_error_handler(DBAPIError, database_unavailable)
    app.register_error_handler(StorageError, rate_limit_store_unavailable)
