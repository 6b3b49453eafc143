"""A first-time subscriber walks every page of the public side (issue: walk every page),
in Russian and in English, at 1280 px and 390 px: the front page, the lost-SIM wizard and
each of its results, registration, and the personal account.

Each page is loaded once and read at both widths (the window is resized and the page laid
out again; nothing in the pages' script depends on the width). The Russian walk is made on
a phone and the English one on a desktop, so the forms are filled and sent at both widths.

On every page: nothing scrolls sideways, no raw code a person does not read (a region's
ISO code, a time-zone id, an event name, a form field's name), phone numbers grouped,
regions by the names their readers know.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from recovery.models import Account, Action
from recovery.security.passwords import hash_password
from tests.e2e.conftest import DESKTOP, MOBILE, LiveServer
from tests.e2e.data import ADDRESS, CALLS, NAME, PASSPORT, claim, make_ivanov
from tests.helpers.people import add_call

PASSWORD = "violet-tram-1987"
LANGUAGES = ("ru-RU", "en-GB")
#: Each language's walk, and the width it is made at (each page is also read at the other).
WALKS = pytest.mark.parametrize(
    ("locale", "viewport"), [("ru-RU", MOBILE), ("en-GB", DESKTOP)], ids=["ru", "en"]
)
WIDTHS = (DESKTOP, MOBILE)

#: What a subscriber must never read: ISO region codes, time-zone ids, dotted event names,
#: an E.164 number run together (+79161234567 instead of +7 916 123-45-67).
RAW = {
    "region code": re.compile(r"\bRU-[A-Z]{2,3}\b"),
    "time-zone id": re.compile(r"\b(?:Europe|Asia|America|Etc)/[A-Z][A-Za-z_]+"),
    "event name": re.compile(r"\b[a-z]+\.[a-z_]+_[a-z_]+\b|\b(?:claim|sim|ticket|account)\.[a-z_]+\b"),
    "ungrouped number": re.compile(r"\+7\d{10}\b"),
    "romanised region": re.compile(r"\b(?:Moskva|Sankt-Peterburg|oblast'|kray|Respublika)\b"),
}


def _check(page: Page) -> None:
    """What every page of the walk must hold."""
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"
    hidden = page.evaluate(
        "() => [...document.querySelectorAll('.table-responsive')]"
        ".map(box => box.scrollWidth - box.clientWidth).filter(extra => extra > 0)"
    )
    assert not hidden, f"{page.url} has a table cut off by {hidden}px: a column out of view"
    text = page.locator("body").inner_text()
    for what, pattern in RAW.items():
        found = pattern.findall(text)
        assert not found, f"{page.url} shows a {what}: {found[:3]}"


class Walk:
    """One person's walk at ``viewport``: each page read, and saved as
    ``<locale>-<width>-<name>``, at both widths."""

    def __init__(
        self, page: Page, live_server: LiveServer, screenshot: Callable, axe: Callable, locale: str,
        viewport: dict[str, int],
    ) -> None:  # fmt: skip
        self.page = page
        self.live_server = live_server
        self.screenshot = screenshot
        self.axe = axe
        self.language = locale[:2]
        self.viewport = viewport

    def widths(self) -> Iterator[int]:
        """Resize to the other width and then back to the walk's own, yielding each width."""
        for viewport in sorted(WIDTHS, key=lambda width: width == self.viewport):
            self.page.set_viewport_size(viewport)
            yield viewport["width"]

    def visit(self, path: str, name: str) -> None:
        self.page.goto(self.live_server(path))
        self.look(name)

    def look(self, name: str) -> None:
        for width in self.widths():
            _check(self.page)
            tag = f"{self.language}, {width} px"
            self.screenshot(f"Subscriber walk: {name} ({tag})", suffix=f"{width}px-{name}")

    def accessible(self) -> None:
        """axe-core at both widths."""
        for _ in self.widths():
            self.axe(self.page)

    def submit(self) -> None:
        with self.page.expect_navigation():
            self.page.locator("main form button[type=submit]:is(.btn-primary, .btn-danger)").last.click()


def _wizard(walk: Walk, *, passport: str = PASSPORT, action: str = "reissue") -> None:
    page = walk.page
    walk.visit("/lost/", "lost-start")
    with page.expect_navigation():
        page.locator("main a.btn-primary").first.click()
    page.locator("[name=msisdn]").fill("8 916 123-45-67")
    page.locator("[name=full_name]").fill(NAME)
    walk.look("lost-number")
    walk.submit()
    page.locator("[name=passport]").fill(passport)
    walk.submit()
    page.locator("[name=registered_address]").fill(ADDRESS)
    walk.submit()
    for field, number in zip(("call_1", "call_2", "call_3"), CALLS, strict=True):
        page.locator(f"[name={field}]").fill(number)
    walk.look("lost-calls")
    walk.submit()
    page.locator("[name=current_region]").select_option("RU-MOW")
    walk.look("lost-where")
    walk.submit()
    page.locator(f"[name=action][value={action}]").check()
    walk.submit()
    walk.look("lost-review")
    # Each number called stays on one line; the review says the account can unblock too.
    calls = page.locator("dd").filter(has_text="903").first.evaluate("el => el.textContent")
    assert "+7\u00a0903\u00a0111\u201122\u201133" in calls, calls
    account_too = re.compile("личном кабинете|personal account")
    expect(page.get_by_test_id("blocks-at-once")).to_contain_text(account_too)
    walk.submit()
    expect(page).to_have_url(walk.live_server("/lost/result"))


@WALKS
def test_the_lost_sim_wizard_and_its_results(
    new_page, live_server, session, config, axe, screenshot, locale, viewport
):
    make_ivanov(session, config.PII_KEY)
    walk = Walk(new_page(locale=locale, viewport=viewport), live_server, screenshot, axe, locale, viewport)
    walk.visit("/", "front")
    _wizard(walk, passport="4509 000000", action="block")
    walk.look("lost-rejected")
    walk.accessible()
    _wizard(walk)
    walk.look("lost-reissue")
    walk.accessible()


@WALKS
def test_the_paused_checks_page(new_page, live_server, session, config, axe, screenshot, locale, viewport):
    make_ivanov(session, config.PII_KEY)
    for _ in range(5):  # five rejected claims on another channel pause the remote checks
        claim(session, config.PII_KEY, action=Action.BLOCK, passport="4509 000000")
    walk = Walk(new_page(locale=locale, viewport=viewport), live_server, screenshot, axe, locale, viewport)
    _wizard(walk, passport="4509 000000", action="block")
    walk.look("lost-paused")
    main = walk.page.get_by_role("main")
    # Paused, not "locked" or "blocked" (the SIM is not blocked); no 0890: it is paused there too.
    expect(main).to_contain_text(re.compile("приостановлена|paused"))
    wrong_words = re.compile(r"заблокирован[аы]? проверк|\blocked\b|\b0890\b", re.IGNORECASE)
    expect(main).not_to_contain_text(wrong_words)
    expect(walk.page.get_by_test_id("support-line").first).to_have_attribute("href", re.compile(r"^tel:\+7"))
    walk.accessible()


def _holder(session, config, *, lost: bool = False):
    subscriber = make_ivanov(session, config.PII_KEY)
    session.add(Account(subscriber_id=subscriber.id, password_hash=hash_password(PASSWORD), failed_logins=0))
    session.commit()
    if lost:
        lost_at = datetime.now(UTC) - timedelta(hours=3)
        claim(session, config.PII_KEY, action=Action.BLOCK, lost_at=lost_at)
        add_call(session, subscriber.msisdn, "+79997776655", lost_at + timedelta(hours=1))
        session.commit()
    return subscriber


def _log_in(walk: Walk) -> None:
    walk.visit("/account/login", "account-login")
    walk.page.locator("[name=phone]").fill("8 916 123-45-67")
    walk.page.locator("[name=password]").fill(PASSWORD)
    walk.submit()


@WALKS
def test_the_personal_account(new_page, live_server, session, config, axe, screenshot, locale, viewport):
    _holder(session, config, lost=True)
    walk = Walk(new_page(locale=locale, viewport=viewport), live_server, screenshot, axe, locale, viewport)
    _log_in(walk)
    page = walk.page
    walk.visit("/account/", "account-overview")
    walk.accessible()
    # Blocked after a loss: the owner who found the phone is sent to the settings, not to an office.
    blocked = page.get_by_test_id("sim-blocked")
    expect(blocked).to_contain_text(re.compile("Нашли телефон|Found the phone"))
    with page.expect_navigation():
        blocked.get_by_role("link").click()
    expect(page.locator("#unblock-title")).to_be_visible()
    walk.visit("/account/details", "account-details")
    walk.accessible()
    # On a phone the cost is under the number, in view: nothing of a row is cut off.
    first_row = page.locator(".details-table tbody tr").first
    for _ in walk.widths():
        expect(first_row).to_contain_text(re.compile(r"1,50|1\.50"), use_inner_text=True)
        expect(page.get_by_role("link", name="CSV")).to_be_visible()
    for path, name in (
        ("/account/expenses", "account-expenses"),
        ("/account/tariff", "account-tariff"),
        ("/account/topup", "account-topup"),
        ("/account/support", "account-support"),
        ("/account/settings", "account-settings"),
    ):
        walk.visit(path, name)
        walk.accessible()


@WALKS
def test_registration(new_page, live_server, session, config, axe, screenshot, locale, viewport):
    make_ivanov(session, config.PII_KEY)
    walk = Walk(new_page(locale=locale, viewport=viewport), live_server, screenshot, axe, locale, viewport)
    walk.visit("/account/register", "register")
    walk.accessible()
