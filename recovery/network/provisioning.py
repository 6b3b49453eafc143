"""Queueing network changes: a ``provisioning`` row in the caller's transaction (the outbox).

Use-cases call these inside the transaction that changes the SIM, so a change
reaches the network exactly when it is committed, and a process that dies
between the commit and the delivery loses nothing: the worker finds the row.
Each function is one line at its call site:

* :func:`block`: the SIM was blocked (claim, account, office);
* :func:`hand_over`: the number moved to a new card; its data stays off until
  the cooling period ends, so a second row (:data:`DATA_ON`) is due then;
* :func:`unblock`: the owner found the phone.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from recovery.models import Provisioning, ProvisioningOperation, ProvisioningState, Sim
from recovery.network import inventory, wakeup

BLOCK = ProvisioningOperation.BLOCK
UNBLOCK = ProvisioningOperation.UNBLOCK
HAND_OVER = ProvisioningOperation.HAND_OVER
DATA_ON = ProvisioningOperation.DATA_ON


def enqueue(
    session: Session,
    operation: ProvisioningOperation,
    *,
    msisdn: str,
    now: datetime,
    iccid: str | None = None,
    due_at: datetime | None = None,
) -> Provisioning:
    """Add a pending row for ``msisdn`` (the caller commits); the IMSI comes from the inventory."""
    row = Provisioning(
        operation=operation,
        msisdn=msisdn,
        iccid=iccid,
        imsi=inventory.imsi_of(session, iccid),
        state=ProvisioningState.PENDING,
        attempts=0,
        due_at=due_at or now,
        created_at=now,
    )
    session.add(row)
    wakeup.notify(session)
    return row


def block(session: Session, msisdn: str, sim: Sim | None, now: datetime) -> Provisioning:
    """Bar the number's SIM in the network (voice and data)."""
    return enqueue(session, BLOCK, msisdn=msisdn, iccid=sim.iccid if sim else None, now=now)


def unblock(session: Session, msisdn: str, sim: Sim, now: datetime) -> Provisioning:
    """Let the number's SIM on the network again (data only once any cooling period is over)."""
    return enqueue(session, UNBLOCK, msisdn=msisdn, iccid=sim.iccid, now=now)


def hand_over(session: Session, msisdn: str, new: Sim, now: datetime) -> list[Provisioning]:
    """Move ``msisdn`` to the card ``new``; data on once its cooling period ends."""
    rows = [enqueue(session, HAND_OVER, msisdn=msisdn, iccid=new.iccid, now=now)]
    data_on_at = new.cooling_until or now
    rows.append(enqueue(session, DATA_ON, msisdn=msisdn, iccid=new.iccid, now=now, due_at=data_on_at))
    return rows
