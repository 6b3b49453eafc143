"""Everyone who uses the product, signed in, for tests that walk the whole app.

``Cast`` holds a subscriber with a ledger (the README's Иванов), an account
holder, an agent, a Moscow office clerk, a supervisor and API tokens for each
API role, with one test client per person (its session kept between requests).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from recovery.models import ApiRole, StaffRole, Subscriber
from tests.helpers.people import IVANOV, make_account, make_api_client, make_ivanov, make_staff
from tests.helpers.web import log_in_as

#: The people of the cast; ``anonymous`` is a visitor who signed in nowhere.
PEOPLE = ("anonymous", "holder", "agent", "office", "supervisor")
#: API tokens by role.
API_ROLES = {"agent": ApiRole.AGENT, "office": ApiRole.OFFICE, "partner": ApiRole.PARTNER}


@dataclass
class Cast:
    """The people and programs using one app, each with a client of their own."""

    app: Flask
    subscriber: Subscriber
    users: dict[str, object]
    tokens: dict[str, str]
    clients: dict[str, FlaskClient] = field(default_factory=dict)
    #: A ticket some tests open, for pages that take its id.
    ticket_id: uuid.UUID | None = None

    def client(self, person: str) -> FlaskClient:
        """The test client of ``person`` (one of ``PEOPLE``), signed in on first use."""
        if person not in self.clients:
            client = self.app.test_client()
            if person != "anonymous":
                log_in_as(client, self.users[person])
            self.clients[person] = client
        return self.clients[person]

    def bearer(self, role: str) -> dict[str, str]:
        """The Authorization header of the API client of ``role`` (agent, office, partner)."""
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def make_cast(app: Flask, session: Session, pii_key: str) -> Cast:
    """Save the cast's people and data in the app's database."""
    subscriber = make_ivanov(session, pii_key, datetime.now(UTC))
    users: dict[str, object] = {"holder": make_account(session, subscriber)}
    for person, role in (
        ("agent", StaffRole.AGENT),
        ("office", StaffRole.OFFICE),
        ("supervisor", StaffRole.SUPERVISOR),
    ):
        users[person] = make_staff(session, role)
    users["office"].region = "RU-MOW"
    session.commit()
    tokens = {
        name: make_api_client(session, role, region="RU-MOW" if role is ApiRole.OFFICE else None)
        for name, role in API_ROLES.items()
    }
    return Cast(app, subscriber, users, tokens)


# --- Forms on a page ----------------------------------------------------------------------------------


@dataclass
class PageForm:
    """One ``<form>``: where it posts and its fields (hidden ones with their values)."""

    action: str
    method: str
    hidden: dict[str, str] = field(default_factory=dict)
    fields: dict[str, list[str]] = field(default_factory=dict)  # visible name → offered values


class FormParser(HTMLParser):
    """Collects the forms of a page (enough of HTML for our own templates)."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.forms: list[PageForm] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Note forms, inputs, selects and their options."""
        a = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(PageForm(a.get("action") or self.url, (a.get("method") or "get").lower()))
            return
        if not self.forms:
            return
        form = self.forms[-1]
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind == "hidden":
                form.hidden[name] = a.get("value", "")
            elif kind in ("radio", "checkbox"):
                form.fields.setdefault(name, []).append(a.get("value", "on"))
            elif kind != "submit":
                form.fields.setdefault(name, [])
        elif tag in ("textarea", "select") and name:
            form.fields.setdefault(name, [])
            self._select = name if tag == "select" else None
        elif tag == "option" and self._select:
            form.fields[self._select].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        """Leave a select."""
        if tag == "select":
            self._select = None


def forms_on(page: str, url: str) -> list[PageForm]:
    """The forms of an HTML page fetched from ``url``."""
    parser = FormParser(url)
    parser.feed(page)
    return parser.forms


# --- Claims as each channel sends them ----------------------------------------------------------------


def api_claim(**changes: object) -> dict[str, object]:
    """The README's claim for Иванов as the JSON API takes it, with ``changes``."""
    body: dict[str, object] = {
        "phoneNumber": "8 916 123-45-67",
        "fullName": IVANOV["full_name"],
        "passport": IVANOV["passport"],
        "registeredAddress": IVANOV["address"],
        "recentCalls": list(IVANOV["calls"]),
        "currentRegion": "RU-MOW",
        "action": "reissue",
    }
    body.update(changes)
    return body


def console_claim(**changes: str) -> dict[str, str]:
    """The same claim as the agent console's form takes it, with ``changes``."""
    data = {
        "msisdn": IVANOV["msisdn"],
        "full_name": IVANOV["full_name"],
        "passport": IVANOV["passport"],
        "registered_address": IVANOV["address"],
        "call_1": IVANOV["calls"][0],
        "call_2": IVANOV["calls"][1],
        "call_3": IVANOV["calls"][2],
        "current_region": "RU-MOW",
        "lost_at": "",
        "action": "reissue",
    }
    data.update(changes)
    return data
