"""Flask-Limiter, made safe for several apps in one process and for a store that goes down.

Two things the stock ``Limiter`` does not do, and this subclass adds:

* **State per application.** ``Limiter`` keeps its storage, key prefix and
  switches on the instance, so the last ``init_app`` wins for every app in the
  process: two apps (the test-suite, a worker that builds a second app) would
  count in each other's store. Here those attributes live in
  ``app.extensions`` and are read through the current app. Decorators
  (``@limiter.limit``) stay on the one module-level instance, as usual.
* **Fail closed or open, per route.** When the store (Redis) does not answer,
  a claim must not go through unthrottled — that is exactly the moment an
  attacker would guess at will — so routes marked with ``fail_closed`` (and
  paths under ``RATELIMIT_FAIL_CLOSED_PATHS``) answer 503. Every other route is
  served without limits and a warning is logged: the front page and logins
  (which also have their lockout in the database) should not go down with Redis.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, has_app_context, request
from flask_limiter import Limiter
from flask_limiter.util import get_qualified_name
from limits.errors import StorageError
from werkzeug.exceptions import ServiceUnavailable

F = TypeVar("F", bound=Callable[..., Any])

log = logging.getLogger("recovery.security")

_STATE = "recovery.limiter_state"


class RateLimitStoreUnavailable(ServiceUnavailable):
    """The rate-limit store did not answer on a route that fails closed."""

    description = "Rate limiting is unavailable, so this action is paused. Please try again shortly."


class _PerApp:
    """A ``Limiter`` attribute kept per Flask app (in ``app.extensions``)."""

    name: str

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: AppLimiter | None, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        return obj._state()[self.name]

    def __set__(self, obj: AppLimiter, value: Any) -> None:
        obj._state()[self.name] = value


class AppLimiter(Limiter):
    """``flask_limiter.Limiter`` with per-app state and fail-closed routes (see the module doc)."""

    # Everything init_app reads from an app's config, and the live storage state.
    enabled = _PerApp()
    initialized = _PerApp()
    _storage = _PerApp()
    _storage_options = _PerApp()
    _storage_dead = _PerApp()
    _limiter = _PerApp()
    _strategy = _PerApp()
    _key_prefix = _PerApp()
    _swallow_errors = _PerApp()
    _fail_on_first_breach = _PerApp()
    _headers_enabled = _PerApp()
    _header_mapping = _PerApp()
    _retry_after = _PerApp()
    _in_memory_fallback_enabled = _PerApp()
    _fallback_storage = _PerApp()
    _fallback_limiter = _PerApp()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Constructor values; each app starts from a copy of them.
        self._defaults: dict[str, Any] = {"_fallback_storage": None}
        self._binding: Flask | None = None
        self._fail_closed: set[str] = set()
        super().__init__(*args, **kwargs)

    def _state(self) -> dict[str, Any]:
        app = self._binding
        if app is None and has_app_context():
            app = current_app._get_current_object()  # type: ignore[attr-defined]
        if app is not None:
            state = app.extensions.get(_STATE, {}).get(id(self))
            if state is not None:
                return state
        return self._defaults

    def init_app(self, app: Flask) -> None:
        """Bind to ``app`` with this app's configuration, leaving other apps' state alone."""
        state = {name: copy.copy(value) for name, value in self._defaults.items()}
        app.extensions.setdefault(_STATE, {})[id(self)] = state
        self._binding = app
        try:
            super().init_app(app)
        finally:
            self._binding = None

    def fail_closed(self, view: F) -> F:
        """Mark ``view``: when the store is down, its limits answer 503 instead of letting it run."""
        self._fail_closed.add(get_qualified_name(view))
        return view

    def _fails_closed(self, callable_name: str | None) -> bool:
        name = callable_name
        if name is None:
            view = current_app.view_functions.get(request.endpoint or "")
            name = get_qualified_name(view) if view is not None else ""
        if name in self._fail_closed:
            return True
        return any(request.path.startswith(p) for p in current_app.config["RATELIMIT_FAIL_CLOSED_PATHS"])

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        """Flask-Limiter's check, with the store's failure turned into 503 or a pass."""
        try:
            super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)
        except StorageError as exc:
            if self._fails_closed(callable_name):
                log.error("rate-limit store unreachable; %s refused (fails closed)", request.endpoint)
                raise RateLimitStoreUnavailable() from exc
            log.warning("rate-limit store unreachable; %s served without limits", request.endpoint)
