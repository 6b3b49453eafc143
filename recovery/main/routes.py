"""The front page, the language switch, the liveness and the readiness probes."""

from __future__ import annotations

from flask import Response, current_app, jsonify, redirect, render_template, request, url_for
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from recovery import clock
from recovery.extensions import csrf, db, limiter
from recovery.i18n import add_language_headers, language_choices, remember_language
from recovery.main import bp
from recovery.observability.readiness import OK, readiness
from recovery.security.safe_redirect import safe_next

# Every page's header carries the language switcher; every HTML response says its language.
bp.app_context_processor(lambda: {"language_choices": language_choices})
bp.after_app_request(add_language_headers)
_PROBE = text("SELECT 1")


@bp.get("/")
def index() -> str:
    """What the service is, and the three ways in."""
    return render_template("main/index.html")


@bp.post("/lang/<code>")
def set_language(code: str) -> Response:
    """Remember the chosen interface language in the session and go back to the page."""
    remember_language(code)
    return redirect(safe_next(request.form.get("next"), url_for("main.index")))


@bp.get("/healthz")
@limiter.exempt
@csrf.exempt
def healthz() -> tuple[Response, int]:
    """200 when the database answers, 503 otherwise (for load balancers).

    One round trip: ``SELECT 1`` on a pooled connection in autocommit, so no
    BEGIN goes before it and no ROLLBACK after it (the request's session is
    not used at all).
    """
    try:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(_PROBE)
    except SQLAlchemyError:
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok"), 200


@bp.get("/readyz")
@limiter.exempt
@csrf.exempt
def readyz() -> tuple[Response, int]:
    """200 when the database, Redis (where configured) and the required outboxes are healthy, else 503.

    The body names each check and which ones failed, for the operator and the orchestrator.
    """
    checks = readiness(db.session, current_app.config, clock.now())
    unhealthy = sorted(name for name, state in checks.items() if state != OK)
    status = 503 if unhealthy else 200
    return jsonify(status="unavailable" if unhealthy else "ok", checks=checks, unhealthy=unhealthy), status
