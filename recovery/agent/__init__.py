"""The call-centre agent console (``/agent``): take a claim during a live call on 0890."""

from flask import Blueprint

from recovery.claims.boundary import register_template_helpers

bp = Blueprint("agent", __name__, url_prefix="/agent")
bp.record_once(lambda state: register_template_helpers(state.app))

from recovery.agent import routes  # noqa: E402,F401
