"""gunicorn's settings for this service: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Every value can be overridden from the environment (``GUNICORN_BIND``,
``GUNICORN_WORKERS``, ``GUNICORN_TIMEOUT``) or on the command line. The
Prometheus metrics of all workers are kept as files in
``PROMETHEUS_MULTIPROC_DIR`` (set here, before a worker imports the app),
emptied when the server starts and cleaned of a worker's live gauges when it
exits (docs/OPERATIONS.md).
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = timeout
keepalive = 5
# Restart a worker now and then, so that a slow leak cannot grow without bound.
max_requests = 10_000
max_requests_jitter = 1_000
# The application writes one access line per request (route rule, status, duration, request id):
# gunicorn's own would carry the raw path and query string, which may hold a number.
accesslog = None
errorlog = "-"

# The systemd unit sets it (/run/recovery/metrics); otherwise a directory of this server's own, so
# that two servers on one machine (a benchmark beside a development server) never share or wipe files.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="recovery-metrics-")
_metrics_dir = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])


def on_starting(server: object) -> None:
    """Start from an empty metrics directory: files of a previous run would add to this one."""
    if _metrics_dir.exists():
        shutil.rmtree(_metrics_dir)
    _metrics_dir.mkdir(parents=True)


def child_exit(server: object, worker: object) -> None:
    """Drop the live gauges (pool connections in use) of a worker that is gone."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
