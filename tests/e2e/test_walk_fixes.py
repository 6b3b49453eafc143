"""What a walk through the pages found (issue 17), in a browser at 1280 px and 390 px:
a tariff change is confirmed and never reprices the past, a rejected claim can be
tried again with the answers kept, the review says the button blocks at once."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from recovery.models import Account
from recovery.security.passwords import hash_password
from tests.e2e.conftest import DESKTOP, MOBILE
from tests.e2e.data import make_ivanov
from tests.e2e.test_lost_wizard import Answers, Wizard
from tests.factories import add_call, make_subscriber

NUMBER = "+79161234567"
PASSWORD = "violet-tram-1987"
FRIEND = "+79031112233"
VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, MOBILE], ids=["1280px", "390px"])


def _no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def _log_in(page: Page, live_server) -> None:
    page.goto(live_server("/account/login"))
    page.get_by_label("Номер телефона").fill("8 916 123-45-67")
    page.get_by_label("Пароль").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Войти").click()


@VIEWPORTS
def test_a_tariff_change_is_confirmed_and_keeps_past_prices(
    new_page, live_server, session, config, axe, screenshot, viewport
):
    subscriber = make_subscriber(session, config.PII_KEY, msisdn=NUMBER)
    session.add(Account(subscriber_id=subscriber.id, password_hash=hash_password(PASSWORD), failed_logins=0))
    # 7 started minutes under «Смарт»: 10,50 ₽, and 17,50 ₽ had «Базовый» repriced it.
    add_call(session, NUMBER, FRIEND, datetime.now(UTC) - timedelta(days=1), duration_s=420)
    session.commit()
    page = new_page(viewport=viewport)
    _log_in(page, live_server)
    page.goto(live_server("/account/details"))
    expect(page.locator(".details-table tbody tr").first).to_contain_text("10,50")

    page.goto(live_server("/account/tariff"))
    basic = page.locator(".card").filter(has=page.get_by_role("heading", name="Базовый"))
    with page.expect_navigation():
        basic.get_by_role("button", name="Перейти на этот тариф").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Перейти на тариф «Базовый»?")
    expect(page.get_by_test_id("takes-effect")).to_contain_text(re.compile(r"сразу, с .+\(Москва, UTC\+3\)"))
    expect(page.get_by_role("main")).to_contain_text("остаются по ценам тарифа «Смарт»")
    _no_sideways_scroll(page)
    axe(page)
    screenshot(f"Account: confirm a tariff change ({viewport['width']} px)", suffix="confirm")
    with page.expect_navigation():
        page.get_by_role("button", name="Да, перейти на «Базовый»").click()
    expect(page.get_by_role("status").filter(has_text="Ваш тариф теперь «Базовый»")).to_be_visible()

    page.goto(live_server("/account/details"))
    expect(page.locator(".details-table tbody tr").first).to_contain_text("10,50")  # not 17,50
    expect(page.get_by_role("link", name="CSV")).to_be_in_viewport()
    _no_sideways_scroll(page)
    screenshot(f"Account: call details after a tariff change ({viewport['width']} px)", suffix="details")


@VIEWPORTS
def test_a_rejected_claim_is_tried_again_with_the_answers_kept(
    new_page, live_server, session, config, axe, screenshot, viewport
):
    make_ivanov(session, config.PII_KEY)
    page = new_page(viewport=viewport)
    wizard = Wizard(page, live_server)
    wizard.open()
    wizard.to_review(Answers(passport="4509 000000", action="block"))
    expect(page.get_by_test_id("blocks-at-once")).to_contain_text("Нажатие кнопки сразу блокирует SIM-карту")
    _no_sideways_scroll(page)
    screenshot(
        f"Lost SIM wizard: review says the button blocks at once ({viewport['width']} px)", suffix="review"
    )
    wizard.send()

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Не удалось подтвердить, что номер принадлежит вам")
    expect(page.get_by_role("main")).not_to_contain_text("паспорт не совпал")
    expect(page.get_by_test_id("support-line").first).to_have_attribute("href", "tel:+78002500890")
    _no_sideways_scroll(page)
    axe(page)
    screenshot(f"Lost SIM wizard: rejected, try again ({viewport['width']} px)", suffix="rejected")
    with page.expect_navigation():
        page.get_by_test_id("try-again").click()
    expect(page).to_have_url(re.compile(r"/lost/step/passport"))
    expect(page.get_by_label("Серия и номер паспорта")).to_have_value("")
    page.get_by_role("link", name="Назад").click()
    expect(page.get_by_label("Фамилия, имя и отчество")).to_have_value("Иванов Иван Иванович")


def test_a_failed_self_block_is_told_at_the_button_and_takes_the_focus(
    new_page, live_server, session, config, axe, screenshot
):
    subscriber = make_subscriber(session, config.PII_KEY, msisdn=NUMBER)
    session.add(Account(subscriber_id=subscriber.id, password_hash=hash_password(PASSWORD), failed_logins=0))
    session.commit()
    page = new_page(viewport=MOBILE)
    _log_in(page, live_server)
    page.goto(live_server("/account/settings"))
    block = page.locator("section", has=page.locator("#block-title"))
    block.get_by_label("Пароль").fill("not-the-password")
    block.get_by_role("checkbox").check()
    with page.expect_navigation():
        block.get_by_role("button", name="Заблокировать SIM-карту сейчас").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("ЕЩЁ НЕ заблокирована")
    expect(summary).to_be_in_viewport()
    _no_sideways_scroll(page)
    axe(page)
    screenshot("Account: a failed self-block, told at the button (390 px)")
