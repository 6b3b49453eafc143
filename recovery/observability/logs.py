"""Structured logs: one line per request, and every line tagged with the request's id.

``LOG_FORMAT`` is ``text`` (development) or ``json`` (production: one JSON
object per line, for a log shipper). Each record made while a request is
served carries ``request_id``, ``route`` and ``actor``; the access line adds
``method``, ``status`` and ``duration_ms``. What goes in is chosen so that no
personal data can: the route is the URL *rule* (``/api/v1/claims/<claim_id>``),
never the path or its query string, and the actor is a kind and an internal id
(``staff:12``, ``account:5``, ``api:3``), never a login, number or name.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime

from flask import Response, g, has_request_context, request
from sqlalchemy import inspect

#: Where the access lines go (one per request).
ACCESS_LOGGER = "recovery.access"
REQUEST_ID_HEADER = "X-Request-ID"
#: A caller's request id is kept only in this shape, so a header cannot smuggle text into the log.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{8,64}")
#: The attributes a plain LogRecord has; anything else on a record is an ``extra`` field.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
#: Marks the handler installed here, so that building a second app replaces it instead of doubling lines.
_HANDLER_MARK = "_recovery_log_handler"

access_logger = logging.getLogger(ACCESS_LOGGER)


def request_id_from(header: str | None) -> str:
    """The caller's request id when it is well-formed, else a new one."""
    if header and REQUEST_ID_PATTERN.fullmatch(header):
        return header
    return uuid.uuid4().hex


def _identity(obj: object) -> object | None:
    """The primary key of a loaded row, read without touching its attributes.

    A log line may be written in the middle of a commit (the pool logs at DEBUG), when the
    row is expired: reading ``obj.id`` then would start a query inside the commit.
    """
    state = inspect(obj, raiseerr=False)
    identity = getattr(state, "identity", None)
    return identity[0] if identity else None


def actor_label() -> str:
    """Who is asking, as a kind and an internal id (never a login or a number); no query is made."""
    client = g.get("api_client")  # plain values (recovery.api.auth.AuthenticatedClient)
    client_id = getattr(client, "id", None) if client is not None else None
    if client_id is not None:
        return f"api:{client_id}"
    user = g.get("_login_user")  # only if Flask-Login already loaded it for this request
    user_id = _identity(user)
    if user_id is not None:
        kind = "account" if type(user).__name__ == "Account" else "staff"
        return f"{kind}:{user_id}"
    return "anonymous"


def route_label() -> str:
    """The URL rule that matched (no values from the path), or ``unmatched``."""
    rule = request.url_rule
    return rule.rule if rule is not None else "unmatched"


def tag_record(record: logging.LogRecord) -> None:
    """Add ``request_id``, ``route`` and ``actor`` to a record made while a request is served."""
    if has_request_context() and "request_id" in g:
        record.request_id = g.request_id
        record.route = route_label()
        record.actor = actor_label()


def install_record_factory() -> None:
    """Tag every record at creation, whichever handler (a file, a shipper, pytest's) takes it."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, _HANDLER_MARK, False):
        return

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        tag_record(record)
        return record

    setattr(factory, _HANDLER_MARK, True)
    logging.setLogRecordFactory(factory)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request's fields, any extras."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as JSON (UTF-8 text kept as it is, so that a grep finds what was written)."""
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class TextFormatter(logging.Formatter):
    """The development format; ``-`` for the request id outside a request."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of text."""
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        return super().format(record)


class StderrHandler(logging.StreamHandler):
    """Writes to the ``sys.stderr`` of the moment (a test's capture, a reopened stream)."""

    @property
    def stream(self):  # the attribute StreamHandler writes to
        """The current standard error."""
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def formatter_for(log_format: str) -> logging.Formatter:
    """The formatter named by ``LOG_FORMAT``."""
    return JsonFormatter() if log_format == "json" else TextFormatter()


def configure_logging(log_format: str, level: str) -> None:
    """Send every logger's records to stderr in ``log_format``, tagged with the request's fields.

    One handler on the root logger, replaced (not added) when another app is
    built in the same process.
    """
    install_record_factory()
    root = logging.getLogger()
    for existing in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(existing)
    handler = StderrHandler()
    setattr(handler, _HANDLER_MARK, True)
    handler.setFormatter(formatter_for(log_format))
    root.addHandler(handler)
    logging.getLogger("recovery").setLevel(level)


def begin_request() -> None:
    """Give the request its id (``before_request``)."""
    g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))


def log_access(response: Response, duration: float) -> None:
    """Echo the request id and write the access line (called from ``after_request``)."""
    request_id = g.get("request_id") or request_id_from(None)
    response.headers[REQUEST_ID_HEADER] = request_id
    if access_logger.isEnabledFor(logging.INFO):
        access_logger.info(
            "%s %s %s %.1f ms",
            request.method,
            route_label(),
            response.status_code,
            duration * 1000,
            extra={
                "method": request.method,
                "status": response.status_code,
                "duration_ms": round(duration * 1000, 2),
            },
        )
