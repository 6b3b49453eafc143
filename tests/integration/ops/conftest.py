"""Real peers for the delivery tests: an aiosmtpd SMTP server, an SMSC on the npm ``smpp`` package."""

from __future__ import annotations

import json
import os
import queue
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword


def free_port() -> int:
    """A TCP port nothing listens on now, on the loopback address."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Mailbox:
    """What the SMTP server received."""

    envelopes: list[Envelope] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


MAIL_USER, MAIL_PASSWORD = "recovery", "smtp-secret-0123"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server on 127.0.0.1 that takes AUTH LOGIN/PLAIN for one user (no TLS on the loopback)."""
    mailbox = Mailbox()

    def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            MAIL_USER.encode(),
            MAIL_PASSWORD.encode(),
        )
        if ok:
            mailbox.logins.append(auth_data.login.decode())
        return AuthResult(success=ok)

    port = free_port()
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=port, authenticator=authenticate, auth_require_tls=False
    )
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


# --- the SMSC --------------------------------------------------------------------------------

#: Where ``make test`` installs the npm ``smpp`` package (pinned in the Makefile).
SMSC_NODE_DIR = Path(__file__).resolve().parent / ".node"
SMSC_SCRIPT = Path(__file__).resolve().parent / "smsc.js"
SMPP_USER, SMPP_PASSWORD = "recovery", "smpp-pw1"  # SMPP 3.4 passwords are at most 8 characters


@dataclass
class Smsc:
    """The running test SMSC and what it saw."""

    port: int
    process: subprocess.Popen
    lines: queue.Queue = field(default_factory=queue.Queue)
    events: list[dict] = field(default_factory=list)

    def drain(self, until: str | None = None, count: int = 1, timeout: float = 10) -> list[dict]:
        """Every event so far; with ``until``, wait for ``count`` events of that kind first."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                while True:
                    self.events.append(json.loads(self.lines.get_nowait()))
            except queue.Empty:
                pass
            if until is None or sum(e["event"] == until for e in self.events) >= count:
                return self.events
            if time.monotonic() > deadline:
                raise AssertionError(f"the SMSC saw no {count} {until}: {self.events}")
            time.sleep(0.05)

    def submitted(self) -> list[dict]:
        """The submit_sm PDUs received."""
        return [e for e in self.drain() if e["event"] == "submit_sm"]


@pytest.fixture
def smsc() -> Iterator[Smsc]:
    """The npm ``smpp`` package's server, run by node on 127.0.0.1 (tests/integration/ops/smsc.js)."""
    if not (SMSC_NODE_DIR / "node_modules" / "smpp").is_dir() or not shutil.which("node"):
        pytest.fail("the test SMSC needs node and the npm smpp package: run `make test` (or `make ops-deps`)")
    port = free_port()
    process = subprocess.Popen(
        ["node", str(SMSC_SCRIPT), str(port), SMPP_USER, SMPP_PASSWORD],
        env={**os.environ, "NODE_PATH": str(SMSC_NODE_DIR / "node_modules")},
        stdout=subprocess.PIPE,
        text=True,
    )
    server = Smsc(port, process)

    def pump() -> None:
        for line in process.stdout:  # type: ignore[union-attr]
            server.lines.put(line)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        server.drain(until="listening")
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)
        reader.join(timeout=10)  # the pipe is at its end once node is gone
        process.stdout.close()  # type: ignore[union-attr]


@pytest.fixture
def build_app() -> Iterator:
    """Builds apps with their own config; their database connections are closed afterwards."""
    from recovery import create_app
    from recovery.extensions import db

    built = []

    def build(config):
        application = create_app(config)
        built.append(application)
        return application

    try:
        yield build
    finally:
        for application in built:
            with application.app_context():
                db.engine.dispose()
