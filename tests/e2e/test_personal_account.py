"""The personal account in a browser: registration on a phone (number, captcha,
SMS code, password) and the call details with their filters and the events
after a reported loss."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from recovery.models import Account, Action, CallKind, Outcome
from recovery.security.passwords import hash_password
from tests.e2e.conftest import MOBILE
from tests.e2e.data import claim
from tests.e2e.steps import captcha_answer, sms_code
from tests.helpers.people import add_call, make_subscriber

NUMBER = "+79161234567"
PASSWORD = "violet-tram-1987"
FRIEND = "+79031112233"
MOSCOW = ZoneInfo("Europe/Moscow")


def test_registration_on_a_phone_with_captcha_and_sms_code(
    new_page, live_server, session, config, axe, screenshot
):
    make_subscriber(session, config.PII_KEY, msisdn=NUMBER)
    page = new_page(viewport=MOBILE)

    page.goto(live_server("/account/register"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Регистрация")
    expect(page.get_by_role("img", name="Картинка с символами")).to_be_visible()
    axe(page)
    screenshot("Account registration, step 1: number and captcha (phone)", suffix="number")
    # Typed as people write it; the captcha in lower case (either case is accepted).
    page.get_by_label("Номер телефона").fill("8 (916) 123-45-67")
    page.get_by_label("Символы с картинки").fill(captcha_answer(page, live_server).lower())
    with page.expect_navigation():
        page.get_by_role("button", name="Получить код по SMS").click()

    expect(page).to_have_url(live_server("/account/verify"))
    expect(page.get_by_text("Если номер +7 916 123-45-67 наш")).to_be_visible()
    code = sms_code(page, live_server, NUMBER)
    page.get_by_label("Код из SMS").fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="Подтвердить").click()

    expect(page).to_have_url(live_server("/account/password/new"))
    page.get_by_label("Новый пароль").fill(PASSWORD)
    page.get_by_label("Повторите пароль").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Сохранить пароль").click()

    expect(page).to_have_url(live_server("/account/"))
    expect(page.get_by_role("status").filter(has_text="Пароль сохранён")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("+7 916 123-45-67")
    expect(page.get_by_test_id("balance")).to_contain_text("100")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, "the account overview scrolls sideways on a phone"
    axe(page)
    screenshot("Account overview after registration (phone)")


def _noon_moscow(days_ago: int) -> datetime:
    """12:00 Moscow time ``days_ago`` days ago, in UTC: clear of midnight in the subscriber's zone."""
    today = datetime.now(MOSCOW).date() - timedelta(days=days_ago)
    return datetime.combine(today, time(12, 0), tzinfo=MOSCOW).astimezone(UTC)


def test_call_details_filter_and_mark_events_after_a_reported_loss(
    page, live_server, session, config, axe, screenshot
):
    subscriber = make_subscriber(session, config.PII_KEY, msisdn=NUMBER)
    session.add(Account(subscriber_id=subscriber.id, password_hash=hash_password(PASSWORD), failed_logins=0))
    session.commit()
    before, lost_at = _noon_moscow(4), _noon_moscow(2)
    add_call(session, NUMBER, FRIEND, before)
    add_call(session, FRIEND, NUMBER, before + timedelta(hours=1), kind=CallKind.SMS, duration_s=0)
    # The finder's use of the phone: a call, a balance check, an SMS.
    add_call(session, NUMBER, "+79995554433", lost_at + timedelta(hours=1), duration_s=125)
    add_call(session, NUMBER, "*100#", lost_at + timedelta(hours=2), kind=CallKind.USSD, duration_s=0)
    add_call(session, NUMBER, "+79995554433", lost_at + timedelta(hours=3), kind=CallKind.SMS, duration_s=0)
    assert claim(session, config.PII_KEY, action=Action.BLOCK, lost_at=lost_at).claim.outcome is Outcome.BLOCK

    page.goto(live_server("/account/"))
    expect(page).to_have_url(re.compile(r"/account/login"))
    page.get_by_label("Номер телефона").fill(NUMBER)
    page.get_by_label("Пароль").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Войти").click()
    loss = page.get_by_test_id("post-loss")
    expect(loss).to_contain_text("После времени потери с вашей SIM-карты было 3 события")
    with page.expect_navigation():
        loss.get_by_role("link", name="Детализация").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Детализация")
    post_loss = page.get_by_test_id("post-loss")
    expect(post_loss).to_contain_text("3 события с вашей SIM-карты после времени потери")
    rows = page.locator(".details-table tbody tr")
    expect(rows).to_have_count(5)
    flagged = rows.filter(has_text="возможно, не вы")
    expect(flagged).to_have_count(3)
    expect(flagged.first).to_have_class(re.compile("table-danger"))
    axe(page)
    screenshot("Account: call details after a reported loss")

    # Only SMS: one before the loss, one after it.
    page.get_by_label("Тип").select_option(label="SMS")
    with page.expect_navigation():
        page.get_by_role("button", name="Показать").click()
    expect(page).to_have_url(re.compile(r"kind=sms"))
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="возможно, не вы")).to_have_count(1)

    # Only the day before the loss, all kinds: nothing is flagged.
    day = before.astimezone(MOSCOW).date().isoformat()
    page.get_by_label("Тип").select_option(label="Все")
    page.get_by_label("С", exact=True).fill(day)
    page.get_by_label("По", exact=True).fill(day)
    with page.expect_navigation():
        page.get_by_role("button", name="Показать").click()
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="возможно, не вы")).to_have_count(0)
    expect(page.get_by_label("С", exact=True)).to_have_value(day)
