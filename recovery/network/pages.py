"""The supervisor's provisioning page (``/supervisor/network``): what the network has not confirmed yet.

Pending and failed rows first (oldest first: they are the ones to act on),
then the latest confirmed ones. Rows name numbers and IMSIs, never keys.
Below them, partners' SIM Swap Subscriptions whose sink stopped taking events
(``recovery.camara.events``): the partner, the number, the sink's host and the
error, never the sink's token or its full URL.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from recovery.auth import staff_required
from recovery.extensions import db
from recovery.models import (
    Provisioning,
    ProvisioningOperation,
    ProvisioningState,
    SimSwapSubscription,
    StaffRole,
    SubscriptionState,
)

bp = Blueprint("network", __name__, url_prefix="/supervisor/network")
#: Confirmed rows shown under the open ones.
RECENT_DONE = 50
#: Failed partner subscriptions shown, latest first.
RECENT_FAILED_SUBSCRIPTIONS = 50

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
    failed_subscriptions = db.session.scalars(
        select(SimSwapSubscription)
        .where(SimSwapSubscription.state == SubscriptionState.FAILED)
        .options(selectinload(SimSwapSubscription.client))
        .order_by(SimSwapSubscription.ended_at.desc())
        .limit(RECENT_FAILED_SUBSCRIPTIONS)
    ).all()
    return render_template(
        "network/provisioning.html",
        open_rows=open_rows,
        done=done,
        failed_subscriptions=failed_subscriptions,
        sink_host=sink_host,
        operation_labels=OPERATION_LABELS,
        state_labels=STATE_LABELS,
    )


def sink_host(url: str) -> str:
    """The host (and port) of a sink: its path and query may carry the partner's secrets."""
    return urlsplit(url).netloc.rpartition("@")[2]
