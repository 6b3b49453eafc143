"""Public pages that belong to no audience: the front page and health check."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from recovery.main import routes  # noqa: E402,F401
