"""Walk every page of the app in both languages.

Every GET route of the URL map that takes no arguments is fetched, by an
anonymous visitor and by a logged-in member of staff of each role, in English
and in Russian. Feature pages are picked up as soon as their blueprint is
registered; nothing here names them.

* English pages must hold no Cyrillic text (visible text and the attributes a
  screen reader or a tooltip shows). Russian data is exempt where the markup
  says so: an element with ``lang="ru"`` (the language switcher's «Русский»)
  or ``translate="no"`` (names, addresses and other data typed by people).
* Russian pages must have Russian ``<title>`` and ``<h1>``.
* No page carries inline script or style, which the Content-Security-Policy
  would block: no ``<script>`` without ``src``, no ``<style>``, no ``style=""``,
  no ``on…=""`` handler, no ``javascript:`` URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient

from recovery.models import StaffRole
from tests.helpers.people import make_staff

#: Paths that are not pages for people: APIs, files, probes, development tools.
SKIPPED_PREFIXES = (
    *("/api", "/camara", "/static", "/bootstrap", "/dev", "/lang"),
    *("/healthz", "/readyz", "/metrics"),
)
#: A path no route has: the "not found" page is walked too once it uses the layout.
MISSING_PATH = "/i18n-walk/no-such-page"
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
VOID_ELEMENTS = frozenset(
    "area base br col embed hr img input link meta source track wbr".split()  # noqa: SIM905
)
#: Attributes whose text people read (tooltips, screen readers, placeholders).
READ_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label", "aria-description", "aria-roledescription")
BUTTON_INPUTS = ("submit", "button", "reset")
#: Who walks: anonymous, then staff of each role (office staff belong to a region).
VISITORS: dict[str, dict[str, object]] = {
    "anonymous": {},
    "agent": {"role": StaffRole.AGENT},
    "office": {"role": StaffRole.OFFICE, "region": "RU-MOW"},
    "supervisor": {"role": StaffRole.SUPERVISOR},
}


@dataclass
class PageText:
    """What a person reads on a page, less the parts marked as another language or as data."""

    lang: str = ""
    title: str = ""
    headings: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    inline_code: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = PageText()
        self.stack: list[tuple[str, bool]] = []  # (tag, exempt from the language check)
        self.in_title = False
        self.h1: list[str] | None = None

    @property
    def exempt(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self._check_inline(tag, values)
        if tag == "html":
            self.page.lang = values.get("lang", "")
        exempt = (
            self.exempt
            or tag in ("script", "style", "template")
            or values.get("lang", "").startswith("ru")
            or values.get("translate") == "no"
        )
        if not exempt:
            self.page.texts += [values[name] for name in READ_ATTRIBUTES if values.get(name)]
            if tag == "input" and values.get("type") in BUTTON_INPUTS and values.get("value"):
                self.page.texts.append(values["value"])
        if tag == "title":
            self.in_title = True
        if tag == "h1":
            self.h1 = []
        if tag not in VOID_ELEMENTS:
            self.stack.append((tag, exempt))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag == "h1" and self.h1 is not None:
            self.page.headings.append(" ".join("".join(self.h1).split()))
            self.h1 = None
        # Close up to the matching tag: HTML lets <p> and <li> end implicitly.
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                break

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.page.title += data
        if self.h1 is not None:
            self.h1.append(data)
        if self.stack and self.stack[-1][0] == "script" and data.strip():
            self.page.inline_code.append("<script> with code")
        if not self.exempt and data.strip():
            self.page.texts.append(data.strip())

    def _check_inline(self, tag: str, values: dict[str, str]) -> None:
        if tag == "style":
            self.page.inline_code.append("<style> block")
        if "style" in values:
            self.page.inline_code.append(f"style attribute on <{tag}>")
        for name, value in values.items():
            if name.startswith("on"):
                self.page.inline_code.append(f"{name} handler on <{tag}>")
            if value.strip().lower().startswith("javascript:"):
                self.page.inline_code.append(f"javascript: URL in {name} of <{tag}>")


def read_page(html: str) -> PageText:
    """Parse a page into what the checks look at."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.page


def walkable_paths(app: Flask) -> list[str]:
    """Every GET route that needs no arguments and is meant for people."""
    paths = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and not rule.arguments and not rule.rule.startswith(SKIPPED_PREFIXES)
    }
    return sorted(paths)


def _log_in(client: FlaskClient, session, app: Flask, visitor: str) -> None:
    details = VISITORS[visitor]
    if not details:
        return
    user = make_staff(session, details["role"], region=details.get("region"))
    # Flask-Login's own session keys: the walk does not depend on a login form's fields.
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"] = user.get_id()
        cookie_session["_fresh"] = True


def collect_pages(app: Flask, client: FlaskClient, language: str) -> dict[str, str]:
    """Path → HTML of every page the client may see, in ``language`` (from the browser)."""
    pages = {}
    headers = {"Accept-Language": language}
    for path in walkable_paths(app):
        response = client.get(path, headers=headers)
        assert response.status_code < 500, f"GET {path} failed with {response.status_code}"
        if response.status_code == 200 and response.mimetype == "text/html":
            pages[path] = response.get_data(as_text=True)
    missing = client.get(MISSING_PATH, headers=headers)
    html = missing.get_data(as_text=True)
    # Until the service's own error pages (templates/errors) are in, Werkzeug's plain one answers.
    if missing.mimetype == "text/html" and 'class="site-header"' in html:
        pages[f"{MISSING_PATH} ({missing.status_code})"] = html
    return pages


@pytest.fixture(params=list(VISITORS))
def visitor_client(request: pytest.FixtureRequest, app: Flask, client: FlaskClient, session) -> FlaskClient:
    """A client that is anonymous or logged in as staff of one role."""
    _log_in(client, session, app, request.param)
    return client


def test_the_walk_finds_the_front_page(app):
    assert "/" in walkable_paths(app)
    assert not any(path.startswith(SKIPPED_PREFIXES) for path in walkable_paths(app))


def test_english_pages_have_no_russian_text(app, visitor_client):
    pages = collect_pages(app, visitor_client, "en")
    assert "/" in pages
    problems = []
    for path, html in pages.items():
        page = read_page(html)
        if page.lang != "en":
            problems.append(f"{path}: <html lang={page.lang!r}>")
        russian = [text for text in page.texts if CYRILLIC.search(text)]
        if russian:
            problems.append(f"{path}: {russian[:5]}")
    assert not problems, 'Russian text on English pages (mark data with translate="no"):\n' + "\n".join(
        problems
    )


def test_russian_pages_have_a_russian_title_and_heading(app, visitor_client):
    pages = collect_pages(app, visitor_client, "ru")
    problems = []
    for path, html in pages.items():
        page = read_page(html)
        if page.lang != "ru":
            problems.append(f"{path}: <html lang={page.lang!r}>")
        if not CYRILLIC.search(page.title):
            problems.append(f"{path}: <title> {page.title.strip()!r}")
        if len(page.headings) != 1:
            problems.append(f"{path}: {len(page.headings)} <h1> elements, one expected")
        problems += [f"{path}: <h1> {text!r}" for text in page.headings if not CYRILLIC.search(text)]
    assert not problems, "Pages not in Russian:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", ["ru", "en"])
def test_pages_have_no_inline_script_or_style(app, visitor_client, language):
    problems = [
        f"{path}: {finding}"
        for path, html in collect_pages(app, visitor_client, language).items()
        for finding in read_page(html).inline_code
    ]
    assert not problems, "Inline code the Content-Security-Policy blocks:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("html", "texts", "inline"),
    [
        ('<p>Hello <span lang="ru">Русский</span></p>', ["Hello"], []),
        ('<p translate="no">Иванов Иван</p><p>Name</p>', ["Name"], []),
        ('<button aria-label="Закрыть">x</button>', ["Закрыть", "x"], []),
        ('<input type="submit" value="Войти"><input type="text" value="Иванов">', ["Войти"], []),
        ("<p>One<p>Two", ["One", "Two"], []),
        ("<script>alert(1)</script><style>p{}</style>", [], ["<script> with code", "<style> block"]),
        ('<a href="javascript:go()" onclick="go()" style="x">Go</a>', ["Go"], ["style attribute on <a>"]),
    ],
)
def test_the_reader_sees_what_people_read(html, texts, inline):
    page = read_page(html)
    assert page.texts == texts
    assert set(inline) <= set(page.inline_code)
    if "javascript:" in html:
        assert any("onclick" in finding for finding in page.inline_code)
        assert any("javascript: URL" in finding for finding in page.inline_code)


def test_the_reader_finds_title_and_headings():
    page = read_page('<html lang="ru"><title>Вход</title><h1>Вход <small>для сотрудников</small></h1>')
    assert page.lang == "ru"
    assert page.title == "Вход"
    assert page.headings == ["Вход для сотрудников"]
