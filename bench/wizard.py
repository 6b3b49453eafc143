"""Full submissions of the self-service wizard (``/lost``) per second, from loopback clients.

A submission is a browser's whole walk: the start page, then each step's page
(GET) and its form posted with the CSRF token and the session cookie,
redirects followed, through the review to the result page
(``/lost/result``). Fields are filled by name from the subscriber's true
answers, so the walk does not depend on how the questions are split into
steps. Bounded in count (``SUBMISSIONS``) and time (``DEADLINE_S``).
"""

from __future__ import annotations

import http.client
import random
import threading
import time
from datetime import datetime
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urljoin, urlsplit

from bench.callcheck import known_numbers
from recovery.ledger.generator import synthetic_subscriber

START, FIRST_STEP, RESULT = "/lost/", "/lost/step/number", "/result"
CLIENTS = 4
SUBMISSIONS = 400
DEADLINE_S = 30
MAX_STEPS = 12


class _Form(HTMLParser):
    """The first form of a page that posts: its action and its fields."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.choices: dict[str, list[str]] = {}
        self.in_form = False
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag == "form" and not self.done and attr.get("method", "get").lower() == "post":
            if "/lang/" not in attr.get("action", ""):
                self.in_form, self.action = True, attr.get("action", "")
        elif self.in_form and tag in ("input", "textarea", "select") and attr.get("name"):
            kind = attr.get("type", "text")
            if kind in ("radio", "checkbox"):
                self.choices.setdefault(attr["name"], []).append(attr.get("value", "on"))
            elif kind != "submit":
                self.fields.setdefault(attr["name"], attr.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.in_form:
            self.in_form, self.done = False, True


def _answer(name: str, person: dict, current: str) -> str:
    key = name.lower()
    for words, value in (
        (("phone", "msisdn", "number"), person["msisdn"]),
        (("full_name", "fullname", "name"), person["full_name"]),
        (("passport",), person["passport"]),
        (("address",), person["address"]),
        (("region",), person["region"]),
        (("lost",), person["lost_at"]),
    ):
        if any(word in key for word in words) and "call" not in key:
            return value
    if "call" in key:
        digits = [c for c in key if c.isdigit()]
        index = int(digits[-1]) - 1 if digits else 0
        calls = person["calls"]
        return calls[index] if 0 <= index < len(calls) else ""
    return current


class _Browser:
    """One client: a keep-alive connection and a cookie jar."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            for morsel in SimpleCookie(header).values():
                self.cookies[morsel.key] = morsel.value
        location = response.headers.get("Location", "")
        connection.close()
        return response.status, text, location

    def submission(self, person: dict) -> bool:
        """Walk the wizard once; True when it ends on the result page."""
        status, page, location = self.request("GET", START)
        if status not in (200, 301, 308):
            return False
        path = FIRST_STEP
        status, page, location = self.request("GET", path)
        for _ in range(MAX_STEPS):
            while status in (301, 302, 303, 308) and location:
                path = urlsplit(urljoin(f"http://127.0.0.1{path}", location)).path
                status, page, location = self.request("GET", path)
            if status != 200:
                return False
            if path.rstrip("/").endswith(RESULT):
                return True
            form = _Form()
            form.feed(page)
            if form.action is None:
                return False
            fields = {name: _answer(name, person, value) for name, value in form.fields.items()}
            for name, values in form.choices.items():
                wanted = [v for v in values if v in (person["action"], "reissue", "on", "y", "1")]
                fields[name] = wanted[0] if wanted else values[0]
            path = urlsplit(urljoin(f"http://127.0.0.1{path}", form.action or path)).path
            status, page, location = self.request("POST", path, fields)
        return False


def _people(libpq_url: str, subscribers: int, ledger_end: datetime, count: int) -> list[dict]:
    rng = random.Random(11)
    people = []
    for index in rng.sample(range(subscribers), min(count, subscribers)):
        person = synthetic_subscriber(index)
        people.append(
            {
                "msisdn": person.msisdn,
                "full_name": person.full_name,
                "passport": person.passport,
                "address": person.registered_address,
                "region": person.home_region,
                "lost_at": ledger_end.strftime("%Y-%m-%dT%H:%M"),
                "calls": list(known_numbers(libpq_url, person.msisdn, ledger_end)[:3]),
                "action": "block",
            }
        )
    return people


def wizard_throughput(port: int, subscribers: int, ledger_end: datetime, libpq_url: str) -> dict:
    """Full wizard submissions per second with ``CLIENTS`` concurrent browsers."""
    people = _people(libpq_url, subscribers, ledger_end, SUBMISSIONS)
    if not _Browser(port).submission(people[0]):
        return {"available": False, "reason": "the wizard's forms could not be walked to its result page"}
    lock = threading.Lock()
    queue = list(people[1:])
    outcome = {"completed": 0, "failed": 0}
    deadline = time.monotonic() + DEADLINE_S

    def client() -> None:
        while time.monotonic() < deadline:
            with lock:
                if not queue:
                    return
                person = queue.pop()
            ok = _Browser(port).submission(person)
            with lock:
                outcome["completed" if ok else "failed"] += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    return {
        "available": True,
        "clients": CLIENTS,
        "submissions_per_s": outcome["completed"] / elapsed,
        **outcome,
        "seconds": elapsed,
    }
