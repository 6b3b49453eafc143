"""Browser tests: the app on a live server, driven by Debian's Chromium through Playwright.

Fixtures:

* ``live_server`` — the app (``tests/conftest.py``'s ``app``: a fresh, migrated
  database per test) served by werkzeug in a thread on 127.0.0.1 and a free port.
  Call it with a path for a full URL: ``page.goto(live_server("/lost"))``. Every
  response carries the strict Content-Security-Policy the product ships, unless
  the app already sets one, so an inline script or style fails a test today.
* ``page`` — a fresh browser context (no cookies) with a Russian browser,
  desktop size. ``new_page(locale="en-GB", viewport=MOBILE)`` opens others.
  A page that logs a console error or throws (a CSP violation, a JS error, a
  failed asset) fails its test; a test expecting one clears ``browser_errors``.
* ``screenshot("Title")`` — with ``E2E_SCREENSHOTS_DIR`` set (``make screenshots``)
  saves ``test-artifacts/screenshots/<test>.png``, copies the image there and
  lists it, under the title, in that folder's README gallery; otherwise it takes
  nothing (a full-page image costs a tenth of a second or more, and the suite
  takes hundreds). A failed test's last page is saved to ``test-artifacts/``.
* ``axe(page)`` — runs axe-core in the page and fails on serious or critical
  accessibility violations.

Chromium and axe-core come from ``make e2e-deps`` (which ``make test`` runs).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask, Response
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect, sync_playwright
from werkzeug.serving import make_server

PROJECT_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
# Debian's Chromium without a display, a sandbox (we run as root) or any traffic of its own.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_JS = Path(__file__).resolve().parent / ".node" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS_DIR = PROJECT_DIR / "test-artifacts" / "screenshots"
#: Where ``make screenshots`` collects the gallery (relative to the project).
GALLERY_ENV = "E2E_SCREENSHOTS_DIR"

#: The policy of the security headers: nothing inline, nothing from elsewhere.
CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:"

DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 390, "height": 844}
#: axe-core impacts that fail a test.
FAILING_IMPACTS = ("serious", "critical")

#: How long a step may wait for the page (a navigation, an element to appear). A wait, not a
#: measure: generous so that a loaded CI machine is slow without failing.
PAGE_TIMEOUT_MS = 20_000
expect.set_options(timeout=PAGE_TIMEOUT_MS)

MISSING_TOOLS = "{what} is missing: run `make e2e-deps` (part of `make test`) to install it"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[pytest.TestReport]:
    """Remember whether the test's body failed, for ``new_page`` to save its last page."""
    report = yield
    if report.when == "call" and report.failed:
        item.stash[_FAILED] = True
    return report


_FAILED = pytest.StashKey[bool]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder drives the browser: mark it ``e2e``."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


# ---------------------------------------------------------------- the server


@dataclass
class LiveServer:
    """The app under test, reachable at ``url``."""

    app: Flask
    url: str

    def __call__(self, path: str = "/") -> str:
        """The full URL of ``path`` on this server."""
        return self.url + path


def _enforce_csp(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    return response


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """Serve ``app`` on 127.0.0.1 on a free port for the length of one test."""
    app.after_request(_enforce_csp)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


# ---------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for the run; Playwright gives it a fresh temporary user-data-dir."""
    if not CHROMIUM.exists():
        pytest.fail(MISSING_TOOLS.format(what=CHROMIUM), pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def browser_errors() -> list[str]:
    """Console errors and uncaught exceptions of the test's pages; must stay empty."""
    return []


class PageOpener:
    """Opens pages, each in a fresh browser context, and remembers them in order."""

    def __init__(self, browser: Browser, errors: list[str]) -> None:
        self.browser = browser
        self.errors = errors
        self.contexts: list[BrowserContext] = []
        self.pages: list[Page] = []

    def __call__(self, locale: str = "ru-RU", viewport: dict[str, int] | None = None) -> Page:
        """A page of a new context: ``locale`` sets the browser's Accept-Language."""
        context = self.browser.new_context(locale=locale, viewport=viewport or DESKTOP)
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        self.pages.append(page)
        return page

    @property
    def latest(self) -> Page | None:
        """The page opened last, if it is still open."""
        return self.pages[-1] if self.pages and not self.pages[-1].is_closed() else None

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} ({message.location.get('url', '')})")

    def close(self) -> None:
        """Close every context opened."""
        for context in self.contexts:
            context.close()


@pytest.fixture
def new_page(
    browser: Browser, live_server: LiveServer, browser_errors: list[str], request: pytest.FixtureRequest
) -> Iterator[PageOpener]:
    """Open pages in fresh contexts: ``new_page(locale="en-GB", viewport=MOBILE)``.

    Depends on ``live_server`` so that the server outlives the pages (a late
    request, such as the icon, would otherwise meet a closed port).
    """
    opener = PageOpener(browser, browser_errors)
    try:
        yield opener
    finally:
        failed = request.node.stash.get(_FAILED, False) or bool(browser_errors)
        if failed and opener.latest is not None:
            _save(opener.latest, ARTIFACTS_DIR / f"{_file_name(request.node.name)}.png")
        opener.close()
    assert not browser_errors, "the browser reported errors:\n" + "\n".join(browser_errors)


@pytest.fixture
def page(new_page: PageOpener) -> Page:
    """A page in a fresh context: Russian browser, desktop window."""
    return new_page()


# ---------------------------------------------------------------- screenshots


@dataclass
class Gallery:
    """The screenshots taken for ``docs/screenshots`` in this run, in order."""

    directory: Path | None
    shots: list[tuple[str, str]] = field(default_factory=list)

    def add(self, title: str, image: Path) -> None:
        """Copy ``image`` into the gallery under ``title``."""
        if self.directory is None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(image, self.directory / image.name)
        self.shots.append((title, image.name))

    def write_readme(self) -> None:
        """One heading and one image per page, in the order the tests took them."""
        if self.directory is None or not self.shots:
            return
        lines = [
            "# Screenshots",
            "",
            "Taken by the browser tests (`make screenshots`); regenerated on every run, do not edit.",
            "",
        ]
        for title, name in self.shots:
            lines += [f"## {title}", "", f"![{title}]({name})", ""]
        (self.directory / "README.md").write_text("\n".join(lines), encoding="utf-8")


@pytest.fixture(scope="session")
def gallery() -> Iterator[Gallery]:
    """The run's gallery; written out at the end when ``E2E_SCREENSHOTS_DIR`` is set."""
    target = os.environ.get(GALLERY_ENV)
    collected = Gallery(directory=(PROJECT_DIR / target) if target else None)
    yield collected
    collected.write_readme()


def _file_name(test_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", test_name).strip("-")


def _save(page: Page, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True, animations="disabled", caret="initial")


@pytest.fixture
def screenshot(new_page: PageOpener, gallery: Gallery, request: pytest.FixtureRequest) -> Callable[..., Path]:
    """Save a page as ``test-artifacts/screenshots/<test>[-<suffix>].png`` and add it to the gallery.

    ``screenshot("Front page, Russian")`` takes the page opened last; pass
    ``of=`` another page, and ``suffix=`` when a test takes more than one.
    Without ``E2E_SCREENSHOTS_DIR`` nothing is taken and the path is returned.
    """

    def take(title: str, *, of: Page | None = None, suffix: str = "") -> Path:
        target = of or new_page.latest
        assert target is not None, "no open page to take a screenshot of"
        name = _file_name(request.node.name + (f"-{suffix}" if suffix else ""))
        path = ARTIFACTS_DIR / f"{name}.png"
        if gallery.directory is None:
            return path
        _save(target, path)
        gallery.add(title, path)
        return path

    return take


# ---------------------------------------------------------------- accessibility


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, installed from the npm registry by ``make e2e-deps``."""
    if not AXE_JS.exists():
        pytest.fail(MISSING_TOOLS.format(what=AXE_JS), pytrace=False)
    return AXE_JS.read_text(encoding="utf-8")


def _describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        targets = ", ".join(json.dumps(node["target"]) for node in violation["nodes"][:5])
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} — {targets}")
    return "\n".join(lines)


@pytest.fixture
def axe(axe_source: str) -> Callable[[Page], list[dict]]:
    """Check a page with axe-core; fail on serious or critical violations, return the rest.

    The script is evaluated through the DevTools protocol, which the page's
    Content-Security-Policy does not govern, so the policy stays in force.
    """

    def check(page: Page) -> list[dict]:
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(axe_source)
        result = page.evaluate("async () => await window.axe.run(document, {resultTypes: ['violations']})")
        violations = result["violations"]
        failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
        assert not failing, f"accessibility violations on {page.url}:\n{_describe(failing)}"
        return violations

    return check
