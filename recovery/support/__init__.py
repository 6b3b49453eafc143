"""The agents' side of the support chat, at ``/agent/support``."""

from flask import Blueprint

bp = Blueprint("support", __name__, url_prefix="/agent/support")

from recovery.support import routes  # noqa: E402,F401
