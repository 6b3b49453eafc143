"""The office queue (``/office``): reissue tickets of the office's own region."""

from flask import Blueprint

from recovery.claims.boundary import register_template_helpers

bp = Blueprint("office", __name__, url_prefix="/office")
bp.record_once(lambda state: register_template_helpers(state.app))

from recovery.office import routes  # noqa: E402,F401
