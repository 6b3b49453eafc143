"""The self-service lost-SIM wizard (``/lost``): no login, the claimant has no SIM."""

from flask import Blueprint

bp = Blueprint("lost", __name__, url_prefix="/lost")

from recovery.lost import routes  # noqa: E402,F401
