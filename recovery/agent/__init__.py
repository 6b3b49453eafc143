"""The call-centre agent console (``/agent``): take a claim during a live call on 0890."""

from flask import Blueprint

bp = Blueprint("agent", __name__, url_prefix="/agent")

from recovery.agent import routes  # noqa: E402,F401
