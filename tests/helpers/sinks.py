"""Partners' side of SIM Swap Subscriptions in tests: a real HTTP sink, and the published schemas.

``Sink`` is an ``http.server`` on 127.0.0.1 in a thread that records every
POST it gets (headers and body) and answers from a script: a status per
request (the last one repeats), or ``HANG`` to keep the connection open
without answering until the sink stops. ``published`` validates a body
against a component of the published CAMARA definition
(``sim-swap-subscriptions.yaml``) with JSON Schema.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml

#: The published definition, copied unmodified beside the other CAMARA definitions the tests use.
PUBLISHED = Path(__file__).resolve().parents[1] / "integration" / "camara" / "published"
DEFINITION = PUBLISHED / "sim-swap-subscriptions.yaml"
#: Answer nothing: the request waits until the sink stops (a sink that never answers).
HANG = 0


@dataclass
class Received:
    """One POST the sink got."""

    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        """The body as JSON (a structured CloudEvent)."""
        return json.loads(self.body)


class Sink:
    """A test sink; ``url`` is where to point a subscription."""

    def __init__(self, answers: list[int]) -> None:
        self.answers = list(answers) or [204]
        self.received: list[Received] = []
        self.stopped = threading.Event()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                sink.received.append(Received(self.path, dict(self.headers.items()), body))
                status = sink.answers[min(len(sink.received), len(sink.answers)) - 1]
                if status == HANG:
                    sink.stopped.wait(30)
                    return
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/events"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def events(self, kind: str | None = None) -> list[dict[str, Any]]:
        """The CloudEvents received (of ``…v0.<kind>`` only, when given), in order."""
        found = [r.event for r in self.received]
        return [e for e in found if kind is None or e["type"].endswith(f".v0.{kind}")]


@contextmanager
def running_sink(*answers: int) -> Iterator[Sink]:
    """A sink answering ``answers`` in turn (default 204), stopped afterwards."""
    sink = Sink(list(answers))
    sink.thread.start()
    try:
        yield sink
    finally:
        sink.stopped.set()
        sink.server.shutdown()
        sink.server.server_close()


@cache
def _definition() -> dict[str, Any]:
    # Through JSON: YAML reads the examples' timestamps as datetimes, JSON Schema wants strings.
    return json.loads(json.dumps(yaml.safe_load(DEFINITION.read_text()), default=str))


def published(pointer: str) -> jsonschema_rs.Draft4Validator:
    """A validator for the definition's ``pointer`` (``#/components/schemas/Subscription``)."""
    return jsonschema_rs.Draft4Validator(
        {"$ref": pointer, "components": _definition()["components"]}, validate_formats=True
    )


def assert_published(body: Any, pointer: str) -> None:
    """``body`` is valid against the published schema at ``pointer``."""
    errors = [str(error) for error in published(pointer).iter_errors(body)]
    assert errors == [], errors
