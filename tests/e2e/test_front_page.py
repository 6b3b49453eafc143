"""The front page and the language switch, as a person sees and uses them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import CONTENT_SECURITY_POLICY, MOBILE


def test_front_page_is_russian_by_default(page, live_server, screenshot):
    response = page.goto(live_server("/"))

    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page).to_have_title(re.compile("Восстановление SIM-карты"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Потеряли телефон или SIM-карту?")
    expect(page.get_by_role("link", name=re.compile("Сообщить о потере SIM-карты"))).to_have_attribute(
        "href", "/lost"
    )
    expect(page.get_by_role("link", name=re.compile("Личный кабинет"))).to_have_attribute("href", "/account")
    expect(page.get_by_role("link", name=re.compile("Вход для сотрудников"))).to_have_attribute(
        "href", "/staff/login"
    )
    # The brand colours come from the app's own stylesheet, not blocked by the policy.
    header = page.locator(".site-header")
    expect(header).to_have_css("background-color", "rgb(179, 0, 27)")
    screenshot("Front page (Russian)")


def test_front_page_follows_an_english_browser(new_page, live_server, screenshot):
    page = new_page(locale="en-GB")
    page.goto(live_server("/"))

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_title(re.compile("Lost SIM recovery"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Lost your phone or SIM card?")
    expect(page.get_by_role("link", name=re.compile("Report a lost SIM"))).to_have_attribute("href", "/lost")
    screenshot("Front page (English)")


def _tab_to(page: Page, name: str, limit: int = 15) -> None:
    """Press Tab until the focused element's accessible text is ``name``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == name:
            return
    pytest.fail(f"{name!r} not reached with {limit} presses of Tab")


def _focus_outline_width(page: Page) -> float:
    return float(page.evaluate("() => parseFloat(getComputedStyle(document.activeElement).outlineWidth)"))


def test_language_is_switched_with_the_keyboard_and_remembered(page, live_server):
    page.goto(live_server("/"))

    _tab_to(page, "English")
    assert _focus_outline_width(page) >= 2, "the focused switch must show a visible outline"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lost your phone or SIM card?")
    # The current language is shown, not offered.
    expect(page.locator(".lang-switch [aria-current='true']")).to_have_text("English")

    # Remembered for the session although the browser still asks for Russian.
    page.goto(live_server("/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")

    _tab_to(page, "Русский")
    with page.expect_navigation():
        page.keyboard.press("Space")
    expect(page.locator("html")).to_have_attribute("lang", "ru")


def test_switching_language_keeps_the_page_and_its_query(page, live_server):
    page.goto(live_server("/?from=sms"))
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.url == live_server("/?from=sms")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_skip_link_is_the_first_stop_and_moves_to_the_content(page, live_server):
    page.goto(live_server("/"))

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Перейти к содержимому")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "content"


@pytest.mark.parametrize(("locale", "viewport"), [("ru-RU", None), ("en-GB", None), ("ru-RU", MOBILE)])
def test_front_page_has_no_serious_accessibility_violations(new_page, live_server, axe, locale, viewport):
    page = new_page(locale=locale, viewport=viewport)
    page.goto(live_server("/"))
    axe(page)


def test_front_page_fits_a_phone(new_page, live_server, screenshot):
    page = new_page(viewport=MOBILE)
    page.goto(live_server("/"))

    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, "the page scrolls sideways on a phone"
    # Each way in is a large target for a thumb.
    for tile in page.locator(".tile").all():
        assert tile.bounding_box()["height"] >= 44
    screenshot("Front page on a phone")
