"""``/readyz``: can this instance take traffic? The database, Redis where configured, the outboxes.

``/healthz`` stays the liveness probe (the process answers and reaches its
database); readiness also fails when a shared dependency is down or when an
outbox is not being drained, so that a load balancer or an orchestrator stops
sending traffic and the operator is told which part to look at.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import redis
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from recovery.observability.outboxes import OUTBOXES

OK = "ok"
REDIS_SCHEMES = ("redis://", "rediss://")
#: Seconds to wait for Redis before calling it down: a probe must answer quickly.
REDIS_TIMEOUT = 1.0

_redis_clients: dict[str, redis.Redis] = {}


def redis_url(config: Mapping[str, object]) -> str | None:
    """The Redis the app depends on (the rate-limit store), when it is Redis."""
    uri = str(config.get("RATELIMIT_STORAGE_URI") or "")
    return uri if uri.startswith(REDIS_SCHEMES) else None


def check_database(session: Session) -> str:
    """``ok``, or why not (the driver's error class only: a message may carry a host or a user)."""
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        session.rollback()
        return f"unavailable ({type(error.orig or error).__name__})"
    return OK


def check_redis(url: str) -> str:
    """``ok`` when Redis answers a PING within ``REDIS_TIMEOUT``."""
    client = _redis_clients.get(url)
    if client is None:
        client = redis.Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT)
        _redis_clients[url] = client
    try:
        client.ping()
    except redis.RedisError as error:
        return f"unavailable ({type(error).__name__})"
    return OK


def check_outboxes(session: Session, config: Mapping[str, object], now: datetime) -> dict[str, str]:
    """Each required outbox: ``ok``, or how old its oldest pending row is past its limit."""
    results: dict[str, str] = {}
    for outbox in OUTBOXES.values():
        if not outbox.required(config):
            continue
        name = f"{outbox.name}_outbox"
        try:
            count, oldest = outbox.backlog(session)
        except SQLAlchemyError:
            session.rollback()
            results[name] = "unavailable"
            continue
        limit = int(config.get(outbox.max_age_setting, 900))  # type: ignore[call-overload]
        age = (now - oldest).total_seconds() if oldest is not None else 0.0
        results[name] = OK if age <= limit else f"{count} pending, oldest {int(age)} s (limit {limit} s)"
    return results


def readiness(session: Session, config: Mapping[str, object], now: datetime) -> dict[str, str]:
    """Every check by name: ``ok`` or what is wrong."""
    results = {"database": check_database(session)}
    url = redis_url(config)
    if url:
        results["redis"] = check_redis(url)
    if results["database"] == OK:
        results.update(check_outboxes(session, config, now))
    return results
