"""What a person does in the browser, shared by the flow tests: sign in, read an
SMS from the development outbox, answer a captcha, move with the keyboard.

Each helper drives the page as a user would (labels, buttons, links) and
waits for the navigation it causes, so a test reads as the steps it takes.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer
from tests.factories import STAFF_PASSWORD

#: A six-digit code in an SMS text.
_CODE = re.compile(r"\b(\d{6})\b")


def staff_sign_in(page: Page, live_server: LiveServer, login: str, password: str = STAFF_PASSWORD) -> None:
    """Sign in on /staff/login (Russian labels) and land on the role's first page."""
    page.goto(live_server("/staff/login"))
    page.get_by_label("Логин").fill(login)
    page.get_by_label("Пароль").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Войти").click()
    assert "/staff/login" not in page.url, "the sign-in failed"


def captcha_answer(page: Page, live_server: LiveServer) -> str:
    """The characters in this browser's current captcha, through the test-only hook."""
    response = page.context.request.get(live_server("/dev/captcha-answer"))
    assert response.ok, f"the captcha hook answered {response.status}"
    return response.text()


def sms_code(page: Page, live_server: LiveServer, msisdn: str) -> str:
    """The latest code sent to ``msisdn``, read from /dev/sms in another tab of the same browser."""
    outbox = page.context.new_page()
    try:
        outbox.goto(live_server("/dev/sms"))
        row = outbox.get_by_role("row").filter(has_text=msisdn).first
        text = row.locator(".sms-body").inner_text()
    finally:
        outbox.close()
    match = _CODE.search(text)
    assert match, f"no code in the SMS {text!r}"
    return match.group(1)


def focused(page: Page) -> dict[str, str]:
    """The focused element: its tag, id, name, type, text and accessible label."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const label = el.labels && el.labels.length ? el.labels[0].innerText : '';
            return {tag: el.tagName.toLowerCase(), id: el.id || '', name: el.name || '',
                    type: el.type || '', text: (el.innerText || el.value || '').trim(), label: label.trim()};
        }"""
    )


def tab_to(page: Page, selector: str, limit: int = 40) -> None:
    """Press Tab until the element matching ``selector`` has the focus; each stop must show it."""
    target = page.locator(selector)
    expect(target).to_have_count(1)
    for _ in range(limit):
        page.keyboard.press("Tab")
        assert_focus_visible(page)
        if target.evaluate("el => el === document.activeElement"):
            return
    pytest.fail(f"{selector} not reached with {limit} presses of Tab")


def assert_focus_visible(page: Page) -> None:
    """The focused element shows an outline or a focus ring (box shadow), as keyboard users need."""
    style = page.evaluate(
        """() => {
            const s = getComputedStyle(document.activeElement);
            return {outline: s.outlineStyle !== 'none' ? parseFloat(s.outlineWidth) : 0,
                    shadow: s.boxShadow, tag: document.activeElement.tagName};
        }"""
    )
    if style["tag"] in ("BODY", "HTML"):
        return
    assert style["outline"] >= 1 or style["shadow"] not in ("", "none"), (
        f"the focused {focused(page)} has no visible focus indicator"
    )
