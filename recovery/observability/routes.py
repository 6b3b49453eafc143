"""``GET /metrics``: the Prometheus text format, for the operator's scraper only.

Open to the addresses in ``METRICS_ALLOWED_NETWORKS`` (default: the loopback
addresses) or to a request bearing ``METRICS_TOKEN``; anyone else gets a 404,
as if there were no such page (the figures tell the claim traffic and the
outcomes).
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from recovery import clock
from recovery.extensions import csrf, db, limiter
from recovery.observability.collectors import OutboxCollector, PoolCollector
from recovery.observability.metrics import scrape_registry

bp = Blueprint("observability", __name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(raw: str | Iterable[str]) -> tuple[Network, ...]:
    """``METRICS_ALLOWED_NETWORKS``: addresses or ranges, comma-separated (``10.0.0.0/8, ::1``)."""
    parts = raw.split(",") if isinstance(raw, str) else raw
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in parts if part.strip())


def scrape_allowed(remote_addr: str | None, authorization: str | None) -> bool:
    """Whether this caller may read the metrics: a configured token, or an allowed address."""
    token = current_app.config.get("METRICS_TOKEN") or ""
    if token and authorization and hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return False
    allowed = parse_networks(current_app.config["METRICS_ALLOWED_NETWORKS"])
    return any(address in network for network in allowed)


@bp.get("/metrics")
@limiter.exempt
@csrf.exempt
def metrics() -> Response:
    """Every metric of every worker, plus the outboxes and the pool read now."""
    if not scrape_allowed(request.remote_addr, request.headers.get("Authorization")):
        abort(404)
    registry = scrape_registry([OutboxCollector(db.session, clock.now()), PoolCollector(db.engine.pool)])
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
