"""A real osmo-hlr for the tests: its own loopback address, config file and database.

NATS holds 127.0.0.1:4222 on this machine, which is also osmo-hlr's fixed GSUP
port, and CTRL's port 4259 is fixed too: so each HLR binds VTY, CTRL and GSUP
to an address of its own in 127.0.0.0/8 (Linux answers on all of it).
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import time
from pathlib import Path

from recovery.network.backends import subscriber_info
from recovery.network.ctrl import CtrlClient, CtrlUnavailable

_hosts = itertools.count(2)
START_TIMEOUT_S = 10

CONFIG = """\
log stderr
 logging filter all 1
 logging color 0
 logging level main notice
 logging level db notice
line vty
 bind {host}
ctrl
 bind {host}
hlr
 gsup
  bind ip {host}
"""


class TestHlr:
    """One osmo-hlr process; ``address`` is its CTRL ``host:port``."""

    __test__ = False

    def __init__(self, directory: Path) -> None:
        binary = shutil.which("osmo-hlr") or "/usr/bin/osmo-hlr"
        if not os.path.exists(binary):
            raise RuntimeError(
                "osmo-hlr is not installed: `make test` installs it (apt-get install osmo-hlr)"
            )
        self.binary = binary
        self.host = f"127.{90 + os.getpid() % 100}.{os.getpid() // 100 % 250}.{next(_hosts) % 250 + 2}"
        self.address = f"{self.host}:4259"
        self.directory = directory
        (directory / "hlr.cfg").write_text(CONFIG.format(host=self.host))
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        """Start the HLR (on the same database as before, if it ran already) and wait for CTRL."""
        log = open(self.directory / "hlr.log", "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [self.binary, "-c", str(self.directory / "hlr.cfg"), "-l", str(self.directory / "hlr.db")],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                CtrlClient(self.address, timeout=1).close()
                return
            except CtrlUnavailable:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((self.directory / "hlr.log").read_text()) from None
                time.sleep(0.05)

    def stop(self) -> None:
        """Stop the HLR (its database stays)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def get(self, var: str) -> str:
        """GET one CTRL variable."""
        with CtrlClient(self.address) as ctrl:
            return ctrl.get(var)

    def set(self, var: str, value: str) -> str:
        """SET one CTRL variable."""
        with CtrlClient(self.address) as ctrl:
            return ctrl.set(var, value)

    def info(self, selector: str) -> dict[str, str] | None:
        """``subscriber.<selector>.info`` as a dict, None if the HLR has no such subscriber."""
        with CtrlClient(self.address) as ctrl:
            return subscriber_info(ctrl, selector)

    def add_subscriber(self, imsi: str, msisdn: str) -> None:
        """Put a subscriber in the HLR as the operator's network already has it (voice and data on)."""
        self.set("subscriber.create", imsi)
        self.set(f"subscriber.by-imsi-{imsi}.msisdn", msisdn.lstrip("+"))
