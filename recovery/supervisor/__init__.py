"""Supervisors (``/supervisor``): queues by region, locked numbers, the audit log, the outbox."""

from flask import Blueprint

from recovery.claims.boundary import register_template_helpers

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")
bp.record_once(lambda state: register_template_helpers(state.app))

from recovery.supervisor import routes  # noqa: E402,F401
