"""The self-service wizard at /lost in a browser: each outcome of the decision
table, changing answers from the review, the keyboard alone, a phone, and
the language switch in the middle of a claim.

The claimant is the README's Иванов (home region Moscow) with a ledger of
regular calls; each test builds him in its own database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from recovery.models import Action, Claim, Outcome, Sim, SimStatus, Subscriber, Ticket
from tests.e2e.conftest import MOBILE, LiveServer
from tests.e2e.data import (
    ADDRESS,
    CALLS,
    NAME,
    NUMBER,
    OFFICE_ADDRESS,
    PASSPORT,
    UNKNOWN_NUMBER,
    claim,
    make_ivanov,
)
from tests.e2e.steps import focused, tab_to
from tests.helpers.people import add_call

MOSCOW = ZoneInfo("Europe/Moscow")


@dataclass
class Answers:
    """What the claimant types, step by step (Russian interface)."""

    msisdn: str = "8 916 123-45-67"
    full_name: str = NAME
    passport: str = PASSPORT
    address: str = ADDRESS
    calls: tuple[str, ...] = CALLS
    region: str = "RU-MOW"
    lost_at: str = ""  # as a datetime-local field takes it: 2026-11-20T12:00
    action: str = "reissue"


#: The labels of the action step's choices.
ACTION_LABELS = {
    "block": "Только заблокировать SIM-карту",
    "reissue": "Заблокировать и получить новую SIM-карту с тем же номером",
}


class Wizard:
    """Drives /lost with the mouse: fills each step by its labels and continues."""

    def __init__(self, page: Page, live_server: LiveServer) -> None:
        self.page = page
        self.live_server = live_server

    def open(self) -> None:
        """The start page, then its Start button."""
        self.page.goto(self.live_server("/lost"))
        self.click_through(self.page.get_by_role("link", name="Начать"))

    def click_through(self, target) -> None:
        """Click ``target`` and wait for the page it leads to."""
        with self.page.expect_navigation():
            target.click()

    def proceed(self) -> None:
        """The step's main button: Continue, or Save and return to review."""
        self.click_through(
            self.page.get_by_role("button", name=re.compile("^(Продолжить|Сохранить и вернуться)"))
        )

    def number(self, answers: Answers) -> None:
        self.page.get_by_label("Номер телефона потерянной SIM-карты").fill(answers.msisdn)
        self.page.get_by_label("Фамилия, имя и отчество").fill(answers.full_name)
        self.proceed()

    def passport(self, answers: Answers) -> None:
        self.page.get_by_label("Серия и номер паспорта").fill(answers.passport)
        self.proceed()

    def address(self, answers: Answers) -> None:
        self.page.get_by_label("Адрес регистрации").fill(answers.address)
        self.proceed()

    def calls(self, answers: Answers) -> None:
        for label, number in zip(
            ("Первый номер", "Второй номер", "Третий номер"), answers.calls, strict=False
        ):
            self.page.get_by_label(label).fill(number)
        self.proceed()

    def where(self, answers: Answers) -> None:
        self.page.get_by_label("Регион, где вы сейчас находитесь").select_option(answers.region)
        if answers.lost_at:
            self.page.get_by_label(re.compile("Когда вы потеряли SIM-карту")).fill(answers.lost_at)
        self.proceed()

    def action(self, answers: Answers) -> None:
        self.page.get_by_label(ACTION_LABELS[answers.action]).check()
        self.proceed()

    def to_review(self, answers: Answers) -> None:
        """Every step in order, from the first one to the review."""
        for step in (self.number, self.passport, self.address, self.calls, self.where, self.action):
            step(answers)
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Проверьте ответы")

    def send(self) -> None:
        """Send from the review; ends on the result page."""
        self.click_through(self.page.get_by_role("button", name="Заблокировать SIM-карту сейчас"))
        expect(self.page).to_have_url(self.live_server("/lost/result"))

    def claim(self, answers: Answers) -> None:
        """The whole wizard from the start page, sent."""
        self.open()
        self.to_review(answers)
        self.send()


@pytest.fixture
def ivanov(session: Session, config) -> Subscriber:
    """The claimant, with his calls and a Moscow office."""
    return make_ivanov(session, config.PII_KEY)


def _sim_status(session: Session, subscriber: Subscriber) -> SimStatus:
    session.expire_all()
    return session.scalar(select(Sim.status).where(Sim.subscriber_id == subscriber.id))


def _claims(session: Session) -> list[Claim]:
    session.expire_all()
    return list(session.scalars(select(Claim).order_by(Claim.created_at)))


def test_reissue_in_the_home_region(page, live_server, session, ivanov, axe, screenshot, browser_errors):
    wizard = Wizard(page, live_server)
    wizard.open()
    expect(page.get_by_text("Шаг 1 из 7")).to_be_visible()
    axe(page)
    screenshot("Lost SIM wizard, step 1: number and name", suffix="step")
    # Nothing typed: each field says what it needs, tied to it for screen readers.
    wizard.proceed()
    number = page.get_by_label("Номер телефона потерянной SIM-карты")
    expect(number).to_have_attribute("aria-invalid", "true")
    expect(number).to_have_accessible_description(re.compile("Введите номер телефона потерянной SIM-карты"))
    axe(page)
    browser_errors.clear()  # the step with errors is answered 400, as it should be
    wizard.to_review(Answers())

    review = page.locator("dl")
    expect(review).to_contain_text("+7 916 123-45-67")
    expect(review).to_contain_text("введён (не показывается)")
    expect(review).not_to_contain_text(PASSPORT)
    axe(page)
    screenshot("Lost SIM wizard: review", suffix="review")
    wizard.send()

    expect(page.get_by_role("heading", level=1)).to_have_text("Новая SIM-карта будет готова")
    [ticket] = session.scalars(select(Ticket)).all()
    expect(page.get_by_test_id("ticket-reference")).to_have_text(ticket.reference)
    expect(page.get_by_role("heading", name=re.compile("Наши офисы в регионе «Москва»"))).to_be_visible()
    expect(page.get_by_text(OFFICE_ADDRESS)).to_be_visible()
    assert (ticket.type.value, ticket.status.value, ticket.region) == ("reissue", "open", "RU-MOW")
    assert _sim_status(session, ivanov) is SimStatus.BLOCKED
    axe(page)
    screenshot("Lost SIM wizard: result, reissue in the home region", suffix="result")


def test_block_on_a_phone_warns_of_use_after_the_loss(
    new_page, live_server, session, ivanov, axe, screenshot
):
    lost_at = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=5)
    for n in range(3):
        add_call(session, NUMBER, f"+7999000000{n}", lost_at + timedelta(hours=1, minutes=10 * n))
    page = new_page(viewport=MOBILE)
    local = lost_at.astimezone(MOSCOW).strftime("%Y-%m-%dT%H:%M")

    # Name and passport suffice for a block: the address and calls stay empty.
    Wizard(page, live_server).claim(Answers(action="block", address="", calls=(), lost_at=local))

    expect(page.get_by_role("heading", level=1)).to_have_text("Ваша SIM-карта блокируется…")
    expect(page.get_by_role("alert")).to_contain_text(
        "3 события с вашего номера после того, как вы его потеряли"
    )
    assert _sim_status(session, ivanov) is SimStatus.BLOCKED
    [claim] = _claims(session)
    assert claim.outcome is Outcome.BLOCK and claim.lost_at == lost_at
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, "the result scrolls sideways on a phone"
    axe(page)
    screenshot("Lost SIM wizard: SIM blocked, used after the loss (phone)")


def test_reissue_away_from_home_blocks_and_names_the_home_region(
    page, live_server, session, ivanov, screenshot
):
    Wizard(page, live_server).claim(Answers(region="RU-TA"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Ваша SIM-карта блокируется…")
    expect(page.get_by_role("main")).to_contain_text("домашнем регионе")
    expect(page.get_by_role("heading", name=re.compile("Наши офисы в регионе «Москва»"))).to_be_visible()
    [claim] = _claims(session)
    assert claim.outcome is Outcome.BLOCK and claim.ticket.type.value == "block"
    screenshot("Lost SIM wizard: reissue asked away from home, blocked")


def test_an_unknown_number_is_answered_exactly_like_a_wrong_answer(
    new_page, live_server, session, ivanov, axe, screenshot
):
    wrong, unknown = new_page(), new_page()
    Wizard(wrong, live_server).claim(Answers(passport="4509 654321"))
    Wizard(unknown, live_server).claim(Answers(msisdn=UNKNOWN_NUMBER))

    expect(wrong.get_by_role("heading", level=1)).to_have_text(
        "Не удалось подтвердить, что номер принадлежит вам"
    )
    assert wrong.locator("main").inner_html() == unknown.locator("main").inner_html()
    assert wrong.title() == unknown.title()
    assert [c.outcome for c in _claims(session)] == [Outcome.REJECTED, Outcome.REJECTED]
    assert session.scalar(select(Ticket)) is None
    assert _sim_status(session, ivanov) is SimStatus.ACTIVE
    axe(wrong)
    screenshot("Lost SIM wizard: not confirmed", of=wrong)


def test_five_failures_lock_the_number_even_for_right_answers(
    page, live_server, session, config, ivanov, axe, screenshot
):
    # Failures on any channel count (here the API's use-case): five in a day lock remote checks.
    for _ in range(5):
        assert claim(session, config.PII_KEY, action=Action.BLOCK, passport="0000 000000").claim.failed

    Wizard(page, live_server).claim(Answers())

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Дистанционная проверка этого номера приостановлена"
    )
    helps = page.get_by_test_id("what-helps")
    expect(helps).to_contain_text("любой наш офис обслужит владельца лично по паспорту")
    expect(page.get_by_role("main")).not_to_contain_text("заблокирована до")
    assert _claims(session)[-1].outcome is Outcome.LOCKED
    assert session.scalar(select(Ticket)) is None
    assert _sim_status(session, ivanov) is SimStatus.ACTIVE
    axe(page)
    screenshot("Lost SIM wizard: remote checks paused after five failures")


def test_back_and_change_from_the_review(page, live_server, session, ivanov, axe, screenshot):
    wizard = Wizard(page, live_server)
    wizard.open()
    wizard.to_review(Answers(address="г. Москва, ул. Ленина, д. 7, кв. 1"))

    # "Back" walks the steps backwards with the answers kept, the browser's Back too.
    wizard.click_through(page.get_by_role("link", name="Назад"))
    expect(page.get_by_label(ACTION_LABELS["reissue"])).to_be_checked()
    axe(page)
    wizard.click_through(page.get_by_role("link", name="Назад"))
    expect(page.get_by_label("Регион, где вы сейчас находитесь")).to_have_value("RU-MOW")
    page.go_back()
    expect(page.get_by_label(ACTION_LABELS["reissue"])).to_be_checked()
    wizard.proceed()

    # Change one answer from the review and come straight back to it.
    wizard.click_through(page.get_by_role("link", name="Изменить Адрес регистрации"))
    address = page.get_by_label("Адрес регистрации")
    expect(address).to_have_value("г. Москва, ул. Ленина, д. 7, кв. 1")
    expect(page.get_by_role("link", name="Вернуться к проверке")).to_be_visible()
    address.fill(ADDRESS)
    wizard.proceed()
    expect(page).to_have_url(live_server("/lost/review"))
    expect(page.locator("dl")).to_contain_text("д. 5, кв. 12")

    # The passport is never shown back: its step says it was entered and may stay empty.
    wizard.click_through(page.get_by_role("link", name="Изменить Паспорт"))
    expect(page.get_by_label("Серия и номер паспорта")).to_have_value("")
    expect(page.get_by_text("Вы уже ввели паспорт")).to_be_visible()
    screenshot("Lost SIM wizard: changing the passport from the review")
    wizard.proceed()
    expect(page).to_have_url(live_server("/lost/review"))

    wizard.send()
    expect(page.get_by_role("heading", level=1)).to_have_text("Новая SIM-карта будет готова")
    assert [c.outcome for c in _claims(session)] == [Outcome.REISSUE]


def _continue_with_keyboard(page: Page, name: str) -> None:
    tab_to(page, f"main button[type=submit]:has-text('{name}')")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_the_wizard_with_the_keyboard_only(new_page, live_server, session, ivanov):
    page = new_page(locale="en-GB")
    page.goto(live_server("/lost"))
    tab_to(page, "main a:has-text('Start')")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    tab_to(page, "#msisdn")
    page.keyboard.type(NUMBER)
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "full_name"
    page.keyboard.type(NAME)
    _continue_with_keyboard(page, "Continue")

    tab_to(page, "#passport")
    page.keyboard.type(PASSPORT)
    _continue_with_keyboard(page, "Continue")
    # A block needs neither the address nor the calls.
    _continue_with_keyboard(page, "Continue")
    _continue_with_keyboard(page, "Continue")

    tab_to(page, "#current_region")
    page.keyboard.type("Moscow")  # a closed select picks the option typed
    expect(page.locator("#current_region")).to_have_value("RU-MOW")
    _continue_with_keyboard(page, "Continue")

    tab_to(page, "input[name=action][value=block]")
    page.keyboard.press("Space")
    expect(page.get_by_label("Block the SIM card only")).to_be_checked()
    _continue_with_keyboard(page, "Continue")

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    _continue_with_keyboard(page, "Block the SIM card now")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your SIM card is being blocked…")
    assert _sim_status(session, ivanov) is SimStatus.BLOCKED


def test_switching_language_in_the_middle_of_a_claim_keeps_the_answers(page, live_server, ivanov):
    wizard = Wizard(page, live_server)
    wizard.open()
    wizard.number(Answers())
    expect(page).to_have_url(live_server("/lost/step/passport"))

    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    expect(page).to_have_url(live_server("/lost/step/passport"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your passport")
    expect(page.get_by_text("Step 2 of 7")).to_be_visible()

    wizard.click_through(page.get_by_role("link", name="Back"))
    expect(page.get_by_label("Phone number of the lost SIM card")).to_have_value(NUMBER)
    expect(page.get_by_label(re.compile("Full name"))).to_have_value(NAME)

    with page.expect_navigation():
        page.get_by_role("button", name="Русский").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Номер и ваше имя")
    expect(page.get_by_label("Номер телефона потерянной SIM-карты")).to_have_value(NUMBER)
