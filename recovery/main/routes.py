"""The front page, the language switch and the health check."""

from __future__ import annotations

from flask import Response, jsonify, redirect, render_template, request, url_for
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from recovery.extensions import csrf, db, limiter
from recovery.i18n import add_language_headers, language_choices, remember_language
from recovery.main import bp
from recovery.security.safe_redirect import safe_next

# Every page's header carries the language switcher; every HTML response says its language.
bp.app_context_processor(lambda: {"language_choices": language_choices})
bp.after_app_request(add_language_headers)


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
    """200 when the database answers, 503 otherwise (for load balancers)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok"), 200
