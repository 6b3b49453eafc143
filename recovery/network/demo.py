"""The demo's SIM inventory: every seeded SIM and a few spare cards for an office to hand over.

Keys are drawn from a fixed seed: demo cards, never a real card's. The spare
ICCIDs are printed by ``seed-demo`` so that the demo's fulfilment can use one.
"""

from __future__ import annotations

import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from recovery.iccid import with_check_digit
from recovery.models import InventorySim, Sim

SEED = 20261202
SPARE_CARDS = 10
IMSI_PREFIX = "25099"


def spare_iccids() -> list[str]:
    """The spare cards' ICCIDs (the same in every demo)."""
    return [with_check_digit(f"897010999{n:010d}") for n in range(1, SPARE_CARDS + 1)]


def seed_inventory(session: Session) -> int:
    """Put every SIM of the demo and the spare cards in the inventory; returns how many (caller commits)."""
    rng = random.Random(SEED)  # noqa: S311 - demo keys, reproducible by design
    session.flush()
    iccids = [*session.scalars(select(Sim.iccid).order_by(Sim.id)), *spare_iccids()]
    for n, iccid in enumerate(iccids, start=1):
        session.add(
            InventorySim(
                iccid=iccid,
                imsi=f"{IMSI_PREFIX}{n:010d}",
                ki=rng.randbytes(16).hex(),
                opc=rng.randbytes(16).hex(),
            )
        )
    return len(iccids)


def describe_spare_cards() -> str:
    """The lines ``seed-demo`` prints about the spare cards."""
    return "Spare SIM cards in the inventory (ICCIDs for an office hand-over):\n  " + "\n  ".join(
        spare_iccids()
    )
