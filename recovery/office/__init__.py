"""The office queue (``/office``): reissue tickets of the office's own region."""

from flask import Blueprint

bp = Blueprint("office", __name__, url_prefix="/office")

from recovery.office import routes  # noqa: E402,F401
