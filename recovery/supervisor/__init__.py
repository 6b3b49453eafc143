"""Supervisors (``/supervisor``): queues by region, locked numbers, the audit log, the outbox."""

from flask import Blueprint

from recovery.claims.boundary import register_template_helpers

# cli_group=None: its command is ``flask deliver-notifications``, beside the other commands.
bp = Blueprint("supervisor", __name__, url_prefix="/supervisor", cli_group=None)
bp.record_once(lambda state: register_template_helpers(state.app))

from recovery.supervisor import commands, routes  # noqa: E402,F401
