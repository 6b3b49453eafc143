"""Routes that exercise the security helpers the way the features will (one line each)."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, jsonify, request
from sqlalchemy import text

from recovery.auth import staff_required
from recovery.extensions import db
from recovery.security.ratelimit import (
    api_limits,
    claim_limits,
    ip_key,
    limit_submissions,
    login_limits,
    sms_limits,
)
from recovery.security.sessions import exempt_api_blueprint

web = Blueprint("probe", __name__, url_prefix="/probe")
api = Blueprint("api_probe", __name__, url_prefix="/api/probe")
camara = Blueprint("camara_probe", __name__, url_prefix="/camara/probe")
limited_api = Blueprint("limited_api_probe", __name__, url_prefix="/api/limited")
elsewhere_api = exempt_api_blueprint(Blueprint("elsewhere_api_probe", __name__, url_prefix="/partner-feed"))

#: An ordinary (fail-open) limit for the tests: two posts a minute per address.
OPEN_LIMIT = "2 per minute"


@web.route("/claim", methods=["GET", "POST"])
@claim_limits("web")
def web_claim() -> str:
    """A self-service claim submission (not under /lost: the decorator alone fails it closed)."""
    return "claim received"


@web.post("/agent-claim")
@claim_limits("agent")
def agent_claim() -> str:
    """A claim typed by an agent in the console."""
    return "agent claim received"


@web.post("/open")
@limit_submissions(OPEN_LIMIT, key=ip_key, scope="probe-open")
def web_open() -> str:
    """An ordinary limited form: fails open."""
    return "ok"


@web.post("/login")
@login_limits("login")
def web_login() -> str:
    """A login form."""
    return "login checked"


@web.post("/sms")
@sms_limits()
def web_sms() -> str:
    """Sends an SMS code."""
    return "code sent"


@web.route("/abort/<int:code>", methods=["GET", "POST"])
def web_abort(code: int) -> str:
    """Fails with ``code``."""
    abort(code)


@web.post("/form")
def web_form() -> str:
    """Reads the form (a too-large body fails here)."""
    return f"fields: {len(request.form)}"


@web.get("/boom")
def web_boom() -> str:
    """A bug."""
    raise RuntimeError("a bug with a secret: 4509 123456")


@web.get("/db")
def web_db() -> str:
    """Needs the database."""
    return str(db.session.execute(text("SELECT count(*) FROM subscribers")).scalar_one())


@web.get("/staff")
@staff_required()
def web_staff() -> str:
    """A staff page."""
    return "staff page"


@api.post("/claims")
@claim_limits("api")
def api_claim() -> tuple[object, int]:
    """A claim through the JSON API."""
    return jsonify(received=True), 201


@api.post("/echo")
def api_echo() -> object:
    """Takes JSON without a CSRF token (token-only API)."""
    return jsonify(request.get_json(silent=True))


@api.route("/abort/<int:code>", methods=["GET", "POST"])
def api_abort(code: int) -> str:
    """Fails with ``code``."""
    abort(code)


@api.get("/explained")
def api_explained() -> str:
    """Fails with a message of its own for the client."""
    abort(409, description="An open reissue ticket already exists for this number.")


@api.get("/db")
def api_db() -> str:
    """Needs the database."""
    return str(db.session.execute(text("SELECT count(*) FROM subscribers")).scalar_one())


@camara.route("/abort/<int:code>", methods=["GET", "POST"])
def camara_abort(code: int) -> str:
    """Fails with ``code``."""
    abort(code)


@limited_api.route("/ping", methods=["GET", "POST"])
def limited_ping() -> object:
    """Any request to a blueprint under ``api_limits``."""
    return jsonify(pong=True)


@limited_api.route("/pong", methods=["GET", "POST"])
def limited_pong() -> object:
    """Another endpoint sharing the blueprint's budget."""
    return jsonify(ping=True)


api_limits(limited_api)


@elsewhere_api.post("/push")
def elsewhere_push() -> object:
    """A token-only JSON endpoint mounted outside /api/."""
    return jsonify(accepted=True)


def add_probes(app: Flask) -> Flask:
    """Register the probe blueprints on ``app`` (before its first request)."""
    for bp in (web, api, camara, limited_api, elsewhere_api):
        app.register_blueprint(bp)
    return app
