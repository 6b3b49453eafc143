"""Provisioning backends (``PROVISIONING_BACKEND = "module:Class"``): how a change reaches the HLR.

A backend gets a :class:`Change`, plain values without a database, and either
applies it or raises. Every operation is idempotent, because a worker that dies
after the HLR acted but before its commit leaves the row pending, and the next
worker does it again: creating a subscriber that exists is fine, the other
commands set a value.

* :class:`RecordOnly` (the default) writes the change to the log and reports
  success: for development and for tests that are not about the network.
* :class:`OsmoHlr` talks to Osmocom's osmo-hlr over CTRL (``HLR_CTRL_ADDRESS``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from importlib import import_module
from typing import Protocol

from recovery.models import ProvisioningOperation
from recovery.network.ctrl import CtrlClient, CtrlError

DEFAULT_BACKEND = "recovery.network.backends:RecordOnly"
DEFAULT_HLR_CTRL_ADDRESS = "127.0.0.1:4259"

logger = logging.getLogger(__name__)


class PermanentFailure(Exception):
    """The change cannot be made as asked (e.g. a hand-over to a card without keys): not retried."""


@dataclass(frozen=True)
class Change:
    """One change for the network. ``ki``/``opc`` are secrets: left out of ``repr``."""

    operation: ProvisioningOperation
    msisdn: str
    imsi: str | None = None
    ki: str | None = field(default=None, repr=False)
    opc: str | None = field(default=None, repr=False)
    #: Unblock only: whether mobile data may come back too (no cooling period running).
    data: bool = True

    @property
    def digits(self) -> str:
        """The number as the HLR keeps it: E.164 digits without ``+``."""
        return self.msisdn.lstrip("+")


class ProvisioningBackend(Protocol):
    """Applies one change to the network, or raises."""

    def apply(self, change: Change) -> None:
        """Make ``change`` in the network; raise on any failure."""


class RecordOnly:
    """Writes each change to the log and reports it done (development, demo)."""

    def __init__(self, config: dict | None = None) -> None:
        self.config = config or {}

    def apply(self, change: Change) -> None:
        """Log the operation and the number, never keys."""
        logger.info("provisioning %s for %s (record only)", change.operation.value, change.msisdn)


class OsmoHlr:
    """osmo-hlr over its CTRL interface; one connection per change."""

    def __init__(self, config: dict | None = None) -> None:
        self.address = (config or {}).get("HLR_CTRL_ADDRESS") or DEFAULT_HLR_CTRL_ADDRESS

    def apply(self, change: Change) -> None:
        """Send the CTRL commands of ``change``."""
        with CtrlClient(self.address) as ctrl:
            match change.operation:
                case ProvisioningOperation.BLOCK:
                    by_number = f"subscriber.by-msisdn-{change.digits}"
                    ctrl.set(f"{by_number}.cs-enabled", "0")
                    ctrl.set(f"{by_number}.ps-enabled", "0")
                case ProvisioningOperation.UNBLOCK:
                    by_number = f"subscriber.by-msisdn-{change.digits}"
                    ctrl.set(f"{by_number}.cs-enabled", "1")
                    ctrl.set(f"{by_number}.ps-enabled", "1" if change.data else "0")
                case ProvisioningOperation.HAND_OVER:
                    self._hand_over(ctrl, change)
                case ProvisioningOperation.DATA_ON:
                    ctrl.set(f"subscriber.by-imsi-{self._imsi(change)}.ps-enabled", "1")

    @staticmethod
    def _imsi(change: Change) -> str:
        if change.imsi is None:
            raise PermanentFailure("the card is not in the SIM inventory: no IMSI")
        return change.imsi

    def _hand_over(self, ctrl: CtrlClient, change: Change) -> None:
        """New IMSI with its keys, data off, voice on; the number leaves the old IMSI for it."""
        imsi = self._imsi(change)
        if not (change.ki and change.opc):
            raise PermanentFailure("the card has no keys in the SIM inventory")
        try:
            ctrl.set("subscriber.create", imsi)
        except CtrlError as exc:
            if "exists" not in str(exc):
                raise
        by_imsi = f"subscriber.by-imsi-{imsi}"
        ctrl.set(f"{by_imsi}.aud3g", f"milenage,{change.ki},opc,{change.opc}")
        ctrl.set(f"{by_imsi}.ps-enabled", "0")
        ctrl.set(f"{by_imsi}.cs-enabled", "1")
        holder = self.imsi_of_number(ctrl, change.digits)
        if holder is not None and holder != imsi:
            ctrl.set(f"subscriber.by-imsi-{holder}.msisdn", "none")
        if holder != imsi:
            ctrl.set(f"{by_imsi}.msisdn", change.digits)

    @staticmethod
    def imsi_of_number(ctrl: CtrlClient, digits: str) -> str | None:
        """The IMSI the HLR has the number on, or None."""
        info = subscriber_info(ctrl, f"by-msisdn-{digits}")
        return info.get("imsi") if info else None


def subscriber_info(ctrl: CtrlClient, selector: str) -> dict[str, str] | None:
    """``subscriber.<selector>.info`` as a dict (``imsi``, ``msisdn``, ``nam_cs``, ``nam_ps`` …).

    None when the HLR has no such subscriber.
    """
    try:
        text = ctrl.get(f"subscriber.{selector}.info")
    except CtrlError as exc:
        if "No such subscriber" in str(exc):
            return None
        raise
    return dict(line.split("\t", 1) for line in text.splitlines() if "\t" in line)


def load_backend(path: str | None, config: dict | None = None) -> ProvisioningBackend:
    """The backend named ``module:Class`` (default :class:`RecordOnly`), built with the app's config."""
    module_name, _, class_name = (path or DEFAULT_BACKEND).partition(":")
    return getattr(import_module(module_name), class_name)(config)
