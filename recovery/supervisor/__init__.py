"""Supervisors (``/supervisor``): queues by region, locked numbers, the audit log, the outbox."""

from flask import Blueprint

# cli_group=None: its command is ``flask deliver-notifications``, beside the other commands.
bp = Blueprint("supervisor", __name__, url_prefix="/supervisor", cli_group=None)

from recovery.supervisor import commands, outbox, routes  # noqa: E402,F401
