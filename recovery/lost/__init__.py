"""The self-service lost-SIM wizard (``/lost``): no login, the claimant has no SIM."""

from flask import Blueprint

from recovery.claims.boundary import register_template_helpers

bp = Blueprint("lost", __name__, url_prefix="/lost")
bp.record_once(lambda state: register_template_helpers(state.app))

from recovery.lost import routes  # noqa: E402,F401
