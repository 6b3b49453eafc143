"""``reconcile-network``: our SIM states against the HLR's, each difference named, repairs queued.

For every number with a current SIM we expect the HLR to hold the number on
that card's IMSI (from the inventory), voice barred exactly when the SIM is
blocked, and data on only when the SIM is active and out of its cooling
period. Numbers with provisioning still pending are in flight, not different,
and are left out. A repair is a provisioning row like any other, delivered by
the worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from recovery.models import Provisioning, ProvisioningState, Sim, SimStatus, Subscriber
from recovery.network import inventory, provisioning
from recovery.network.backends import subscriber_info
from recovery.network.ctrl import CtrlClient

PAGE = 500


@dataclass(frozen=True)
class Difference:
    """One way the HLR differs from us for ``msisdn``; ``repair`` says which row fixes it."""

    msisdn: str
    what: str
    repair: str

    def __str__(self) -> str:
        return f"{self.msisdn}: {self.what}"


def _current_sims(session: Session) -> Iterator[tuple[str, Sim]]:
    """(number, current SIM), in pages by number so that memory stays flat."""
    after = ""
    while True:
        page = session.execute(
            select(Subscriber.msisdn, Sim)
            .join(Sim, Sim.subscriber_id == Subscriber.id)
            .where(Sim.status != SimStatus.RETIRED, Subscriber.msisdn > after)
            .order_by(Subscriber.msisdn)
            .limit(PAGE)
        ).all()
        if not page:
            return
        yield from page
        after = page[-1][0]


def _in_flight(session: Session) -> set[str]:
    return set(
        session.scalars(select(Provisioning.msisdn).where(Provisioning.state == ProvisioningState.PENDING))
    )


def compare(session: Session, ctrl: CtrlClient, now: datetime) -> list[Difference]:
    """Every difference between our current SIMs and the HLR."""
    in_flight = _in_flight(session)
    differences: list[Difference] = []
    for msisdn, sim in _current_sims(session):
        if msisdn in in_flight:
            continue
        blocked = sim.status is SimStatus.BLOCKED
        imsi = inventory.imsi_of(session, sim.iccid)
        info = subscriber_info(ctrl, f"by-msisdn-{msisdn.lstrip('+')}")
        if imsi is None:
            differences.append(Difference(msisdn, f"card {sim.iccid} is not in the SIM inventory", "none"))
            continue
        if info is None or info.get("imsi") != imsi:
            where = "not in the HLR" if info is None else f"on IMSI {info.get('imsi')} in the HLR"
            repair = "block" if blocked else "hand_over"
            differences.append(Difference(msisdn, f"{where}, expected IMSI {imsi}", repair))
            continue
        data = not blocked and (sim.cooling_until is None or sim.cooling_until <= now)
        expected = {"nam_cs": "0" if blocked else "1", "nam_ps": "1" if data else "0"}
        for field, value in expected.items():
            if info.get(field) != value:
                state = "blocked" if blocked else ("cooling" if not data else "active")
                repair = "block" if blocked else "unblock"
                differences.append(
                    Difference(
                        msisdn, f"{field} is {info.get(field)} in the HLR, expected {value} ({state})", repair
                    )
                )
    return differences


def queue_repairs(session: Session, differences: list[Difference], now: datetime) -> int:
    """Queue one provisioning row per number that differs (the caller commits); returns how many."""
    queued = 0
    done: set[str] = set()
    for difference in differences:
        if difference.repair == "none" or difference.msisdn in done:
            continue
        subscriber = session.scalar(select(Subscriber).where(Subscriber.msisdn == difference.msisdn))
        sim = subscriber.current_sim if subscriber else None
        if sim is None:
            continue
        if difference.repair == "block":
            provisioning.block(session, subscriber.msisdn, sim, now)
        elif difference.repair == "hand_over":
            provisioning.hand_over(session, subscriber.msisdn, sim, now)
        else:
            provisioning.unblock(session, subscriber.msisdn, sim, now)
        done.add(difference.msisdn)
        queued += 1
    return queued
