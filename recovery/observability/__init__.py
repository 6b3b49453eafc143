"""What an operator watches: structured logs, Prometheus metrics, readiness.

``init_observability(app)`` (called by ``create_app``) installs the logging
format (``LOG_FORMAT``), the per-request hook (request id, access line,
request metrics), the session and pool listeners behind the business
counters, the pooled connections' check at checkout (``connections``),
and ``/metrics``. ``/readyz`` lives beside ``/healthz`` in ``recovery.main``
and asks ``readiness.readiness``; outboxes register in ``outboxes.register_outbox``.
"""

from __future__ import annotations

from flask import Flask


def init_observability(app: Flask) -> None:
    """Wire logs, metrics and the ``/metrics`` page into ``app``."""
    from recovery.extensions import db
    from recovery.observability.connections import install_connection_check
    from recovery.observability.events import install_session_counters, watch_pool
    from recovery.observability.logs import configure_logging
    from recovery.observability.requests import install_request_hooks
    from recovery.observability.routes import bp

    configure_logging(app.config.get("LOG_FORMAT", "text"), app.config.get("LOG_LEVEL", "INFO"))
    install_request_hooks(app)
    install_session_counters()
    with app.app_context():
        for engine in db.engines.values():
            watch_pool(engine)
            install_connection_check(engine, float(app.config.get("DATABASE_PING_AFTER_IDLE_SECONDS", 30.0)))
    app.register_blueprint(bp)
