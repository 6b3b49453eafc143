"""The service's Prometheus metrics, defined once per process.

Under gunicorn every worker is a process of its own: with
``PROMETHEUS_MULTIPROC_DIR`` set (before the app is imported; ``gunicorn.conf.py``
does it) ``prometheus_client`` keeps the values in memory-mapped files there
and a scrape adds up all workers' files (``MultiProcessCollector``). Without
it (``flask run``, tests) the default registry of the one process is used.

What is counted where: requests in ``recovery.observability.requests``
(a hook per request, two metric updates); claims, locks, partner look-ups and
deliveries from the rows the use-cases write (``recovery.observability.events``,
SQLAlchemy session events, so the use-cases themselves are not touched);
outbox depth and age and the pool size at scrape time (``collectors``).
"""

from __future__ import annotations

import os

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    multiprocess,
)

# The *_created series double the output for no figure an operator reads.
disable_created_metrics()

#: Seconds: from a cached page (ms) to a claim under load (tens of ms) to a slow partner call.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter(
    "recovery_http_requests_total",
    "HTTP requests answered, by endpoint, method and status.",
    ["endpoint", "method", "status"],
)
LATENCY = Histogram(
    "recovery_http_request_duration_seconds",
    "Time to answer an HTTP request, by endpoint and status.",
    ["endpoint", "status"],
    buckets=LATENCY_BUCKETS,
)
CLAIMS = Counter(
    "recovery_claims_total",
    "Claims decided (committed), by channel and outcome.",
    ["channel", "outcome"],
)
LOCKS = Counter(
    "recovery_number_locks_total",
    "Lock events: claims refused on a locked number (refused) and supervisor unlocks (unlocked).",
    ["event"],
)
LOOKUPS = Counter(
    "recovery_partner_lookups_total",
    "CAMARA look-ups (KYC Match, SIM Swap) by API and result.",
    ["api", "result"],
)
DELIVERIES = Counter(
    "recovery_notification_deliveries_total",
    "Outbox messages handed to the delivery backend, by channel and result (sent, failed, retried).",
    ["channel", "result"],
)
SMS_RECEIPTS = Counter(
    "recovery_sms_delivery_receipts_total",
    "SMPP delivery receipts received, by final state (DELIVRD, UNDELIV, …).",
    ["state"],
)
POOL_IN_USE = Gauge(
    "recovery_db_pool_connections_in_use",
    "Database connections checked out of the pools of all worker processes.",
    multiprocess_mode="livesum",
)


def multiprocess_dir() -> str | None:
    """The directory of the workers' metric files, when running under several processes."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def scrape_registry(extra: list[object]) -> CollectorRegistry:
    """The registry one scrape reads: all workers' files (multiprocess) or this process's metrics.

    ``extra`` collectors (outbox depth, pool size) are asked at scrape time, on this registry only.
    """
    from prometheus_client import REGISTRY

    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry(auto_describe=True)
        registry.register(_Delegate(REGISTRY))
    for collector in extra:
        registry.register(collector)  # type: ignore[arg-type]
    return registry


class _Delegate:
    """Hands a scrape the default registry's metrics without registering them twice."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self):  # prometheus_client's collector protocol
        """The default registry's metric families."""
        return self.registry.collect()

    def describe(self) -> list:
        """Nothing to describe ahead (so names may repeat across scrapes)."""
        return []
