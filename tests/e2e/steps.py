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
from tests.helpers.people import STAFF_PASSWORD

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


#: What a Tab stop looks like: whether ``el`` has the focus, and the focus outline's width.
_FOCUS_STATE = """el => {
    const active = document.activeElement;
    const style = getComputedStyle(active);
    return {
        reached: el === active,
        // Focus inside a browser-drawn part of a control (the calendar button of a
        // date field) leaves the element itself not :focus; the browser draws that ring.
        own: active !== document.body && active.matches(':focus'),
        outline: style.outlineStyle !== 'none' ? parseFloat(style.outlineWidth) : 0,
    };
}"""


def tab_to(page: Page, selector: str, limit: int = 40) -> None:
    """Press Tab until the element matching ``selector`` has the focus.

    Every stop on the way must show where the focus is: an outline of at
    least 2 px (the shell's ``:focus-visible`` rule draws 3 px).
    """
    target = page.locator(selector)
    expect(target).to_have_count(1)
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = target.evaluate(_FOCUS_STATE)
        assert not state["own"] or state["outline"] >= 2, (
            f"{focused(page)} has the focus but shows no outline"
        )
        if state["reached"]:
            return
    pytest.fail(f"{selector} not reached with {limit} presses of Tab")
