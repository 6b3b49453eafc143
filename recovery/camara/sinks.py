"""Partners' sinks: which URLs we accept, and posting one CloudEvent to one (no Flask here).

A sink is a URL a partner chose, and the worker posts to it from inside our
network: without care that is a server-side request forgery (the partner
names ``https://10.0.0.5/admin`` or a name that resolves there). So:

* a sink must be ``https://`` with a host and no user or password in it;
* a literal private, loopback, link-local or reserved address is refused at
  creation (``INVALID_SINK``), and at delivery the address the connection
  actually reached is checked again, after DNS: a name that resolves (or
  re-resolves) to such an address is refused before a byte is sent;
* redirects are never followed and no proxy from the environment is used;
* every request has a timeout.

``allow_private`` (``SUBSCRIPTION_SINKS_ALLOW_PRIVATE``, on in development and
testing, off by default) lifts the address rule *and* allows ``http://``, so
that a sink on ``http://127.0.0.1`` works on a developer's machine.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

#: The longest sink URL we keep.
MAX_SINK_LENGTH = 2048
#: Seconds to connect to a sink and to wait for its answer (``SUBSCRIPTION_SINK_TIMEOUT_SECONDS``).
SINK_TIMEOUT_SECONDS = 5.0


class InvalidSink(ValueError):
    """The URL is not one we deliver to (``INVALID_SINK``)."""


class SinkNotAllowed(Exception):
    """The sink's address is private, loopback or reserved: nothing was sent."""


def is_public(address: str) -> bool:
    """Whether ``address`` (an IP) is a global unicast address, fit for a partner's server."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_sink(url: str, *, allow_private: bool) -> str:
    """Return ``url`` if we may deliver to it, else raise ``InvalidSink`` (no DNS here: see the module)."""
    if len(url) > MAX_SINK_LENGTH:
        raise InvalidSink("sink is too long")
    if any(character.isspace() or not character.isprintable() for character in url):
        raise InvalidSink("sink must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 — raises ValueError on a port that is not a number
    except ValueError:
        raise InvalidSink("sink is not a valid URL") from None
    allowed = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in allowed:
        raise InvalidSink("sink must be an https URL")
    if not host or parts.username is not None or parts.password is not None:
        raise InvalidSink("sink must name a host and no credentials")
    if allow_private:
        return url
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        raise InvalidSink("sink must be a public address")
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        return url  # a name: checked at delivery, on the address it resolves to
    if not is_public(str(literal)):
        raise InvalidSink("sink must be a public address")
    return url


def _checked(sock: socket.socket) -> socket.socket:
    address = sock.getpeername()[0]
    if not is_public(address):
        sock.close()
        raise SinkNotAllowed("the sink resolves to a private address")
    return sock


class _PublicHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _checked(super()._new_conn())


class _PublicHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _checked(super()._new_conn())


class _PublicHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PublicHTTPConnection


class _PublicHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PublicHTTPSConnection


class _PublicOnlyAdapter(HTTPAdapter):
    """Connects only to public addresses: the check runs on the connected socket, after DNS."""

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _PublicHTTPPool, "https": _PublicHTTPSPool}


@dataclass(frozen=True)
class SinkAnswer:
    """What a sink answered."""

    status: int


class SinkSender:
    """Posts bodies to sinks under the rules of the module; one per worker."""

    def __init__(self, *, timeout: float = SINK_TIMEOUT_SECONDS, allow_private: bool = False) -> None:
        self.timeout = timeout
        self.allow_private = allow_private
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy, .netrc or CA bundle from the environment
        self.session.max_redirects = 0
        if not allow_private:
            adapter = _PublicOnlyAdapter()
            self.session.mount("http://", adapter)
            self.session.mount("https://", adapter)

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> SinkAnswer:
        """POST ``body`` to ``url``; raises ``InvalidSink``, ``SinkNotAllowed`` or a requests error."""
        check_sink(url, allow_private=self.allow_private)
        with self.session.post(
            url, data=body, headers=headers, timeout=self.timeout, allow_redirects=False, stream=True
        ) as response:
            return SinkAnswer(response.status_code)

    def close(self) -> None:
        """Close the pooled connections."""
        self.session.close()
