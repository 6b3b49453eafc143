"""The supervisor's provisioning page (``/supervisor/network``): what the network has not confirmed yet.

Pending and failed rows first (oldest first: they are the ones to act on),
then the latest confirmed ones. Rows name numbers and IMSIs, never keys.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from recovery.auth import staff_required
from recovery.extensions import db
from recovery.models import Provisioning, ProvisioningOperation, ProvisioningState, StaffRole

bp = Blueprint("network", __name__, url_prefix="/supervisor/network")
#: Confirmed rows shown under the open ones.
RECENT_DONE = 50

OPERATION_LABELS = {
    ProvisioningOperation.BLOCK: _l("Block the SIM"),
    ProvisioningOperation.UNBLOCK: _l("Unblock the SIM"),
    ProvisioningOperation.HAND_OVER: _l("Number to the new SIM"),
    ProvisioningOperation.DATA_ON: _l("Mobile data on after cooling"),
}
STATE_LABELS = {
    ProvisioningState.PENDING: _l("waiting for the network"),
    ProvisioningState.DONE: _l("done"),
    ProvisioningState.FAILED: _l("failed"),
}


@bp.before_request
@staff_required(StaffRole.SUPERVISOR)
def _supervisors_only() -> None:
    """Supervisors only."""


@bp.get("/")
def provisioning() -> str:
    """Pending and failed provisioning, then the latest done."""
    open_rows = db.session.scalars(
        select(Provisioning)
        .where(Provisioning.state != ProvisioningState.DONE)
        .order_by(Provisioning.state.desc(), Provisioning.due_at, Provisioning.id)
        .limit(500)
    ).all()
    done = db.session.scalars(
        select(Provisioning)
        .where(Provisioning.state == ProvisioningState.DONE)
        .order_by(Provisioning.id.desc())
        .limit(RECENT_DONE)
    ).all()
    return render_template(
        "network/provisioning.html",
        open_rows=open_rows,
        done=done,
        operation_labels=OPERATION_LABELS,
        state_labels=STATE_LABELS,
    )
