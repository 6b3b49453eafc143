"""The per-request hook: a request id, one access line, two metric updates.

Kept small on purpose (the request throughput is benchmarked against
``/healthz``): a ``perf_counter`` at the start, and at the end a counter, a
histogram observation and, when INFO is on for ``recovery.access``, one log
line. No query, no user loading.
"""

from __future__ import annotations

import time

from flask import Flask, Response, g, request

from recovery.observability.logs import begin_request, log_access
from recovery.observability.metrics import LATENCY, REQUESTS


def _start() -> None:
    g.request_started = time.perf_counter()
    begin_request()


def _finish(response: Response) -> Response:
    duration = time.perf_counter() - g.get("request_started", time.perf_counter())
    endpoint = request.endpoint or "unmatched"
    status = str(response.status_code)
    REQUESTS.labels(endpoint, request.method, status).inc()
    LATENCY.labels(endpoint, status).observe(duration)
    log_access(response, duration)
    return response


def install_request_hooks(app: Flask) -> None:
    """Run first before every request and last after it (so the figures include the other hooks)."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request_funcs.setdefault(None, []).insert(0, _finish)
