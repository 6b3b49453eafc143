"""A small client for Osmocom's CTRL interface (osmo-hlr, port 4259).

CTRL is text over IPA framing: each message is a 2-byte big-endian length,
the protocol byte ``0xEE`` (OSMO), the extension byte ``0x00`` (CTRL), then
``SET <id> <var> <value>`` or ``GET <id> <var>``. The answer repeats the id:
``SET_REPLY <id> <var> <value>``, ``GET_REPLY <id> <var> <value>`` or
``ERROR <id> <reason>``. ``TRAP`` messages the server may push are skipped.
The length counts the extension byte and the text, not the first three bytes.

No package on the registry does this (those with similar names are unrelated),
so it is written here: about sixty lines, over the standard library.
"""

from __future__ import annotations

import itertools
import socket
import struct

IPA_PROTO_OSMO = 0xEE
IPA_EXT_CTRL = 0x00
DEFAULT_PORT = 4259
#: Seconds to connect and to wait for one answer.
DEFAULT_TIMEOUT = 5.0


class CtrlError(Exception):
    """The server answered ``ERROR`` (unknown variable, bad value, no such subscriber)."""


class CtrlUnavailable(OSError):
    """The server could not be reached, or closed the connection or sent garbage."""


def parse_address(text: str) -> tuple[str, int]:
    """``host:port`` (or ``host``, port 4259) as a tuple."""
    host, _, port = text.rpartition(":") if ":" in text else (text, "", "")
    return host or "127.0.0.1", int(port) if port else DEFAULT_PORT


def frame(text: str) -> bytes:
    """One CTRL message in its IPA frame."""
    payload = bytes([IPA_EXT_CTRL]) + text.encode("ascii")
    return struct.pack(">HB", len(payload), IPA_PROTO_OSMO) + payload


class CtrlClient:
    """One connection to a CTRL server; ``get`` and ``set`` wait for their own answer."""

    def __init__(self, address: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        host, port = parse_address(address)
        try:
            self.sock = socket.create_connection((host, port), timeout=timeout)
        except OSError as exc:
            raise CtrlUnavailable(f"CTRL {host}:{port}: {exc.strerror or exc}") from None
        self.ids = itertools.count(1)

    def __enter__(self) -> CtrlClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self.sock.close()

    def get(self, var: str) -> str:
        """The value of ``var``; raises :class:`CtrlError` on ``ERROR``."""
        return self._ask("GET", var)

    def set(self, var: str, value: str) -> str:
        """Set ``var`` to ``value``; returns the server's reply value."""
        return self._ask("SET", var, value)

    def _ask(self, verb: str, var: str, value: str | None = None) -> str:
        request_id = str(next(self.ids))
        text = f"{verb} {request_id} {var}" + ("" if value is None else f" {value}")
        try:
            self.sock.sendall(frame(text))
            while True:
                kind, reply_id, rest = self._receive()
                if reply_id != request_id:
                    continue  # a TRAP, or the answer to an abandoned request
                if kind == "ERROR":
                    raise CtrlError(rest)
                if kind != f"{verb}_REPLY":
                    raise CtrlUnavailable(f"unexpected CTRL answer {kind!r}")
                _, _, answer = rest.partition(" ")
                return answer
        except (TimeoutError, ConnectionError) as exc:
            raise CtrlUnavailable(f"CTRL: {exc}") from None

    def _receive(self) -> tuple[str, str, str]:
        """The next CTRL message as (kind, id, rest); other IPA messages are skipped."""
        while True:
            length, proto = struct.unpack(">HB", self._exactly(3))
            payload = self._exactly(length)
            if proto == IPA_PROTO_OSMO and payload[:1] == bytes([IPA_EXT_CTRL]):
                kind, _, rest = payload[1:].decode("ascii", errors="replace").partition(" ")
                reply_id, _, rest = rest.partition(" ")
                return kind, reply_id, rest

    def _exactly(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise CtrlUnavailable("CTRL: connection closed")
            data += chunk
        return data
