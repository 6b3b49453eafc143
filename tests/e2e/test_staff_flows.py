"""Staff at work in a browser: an agent takes a claim on a call (by mouse and by
keyboard alone), and an office clerk of the home region hands over a new SIM."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from recovery.models import (
    Action,
    Claim,
    Outcome,
    Sim,
    SimStatus,
    StaffRole,
    Subscriber,
    Ticket,
    TicketStatus,
)
from tests.e2e.data import ADDRESS, CALLS, NAME, NUMBER, PASSPORT, claim, make_ivanov
from tests.e2e.steps import focused, staff_sign_in, tab_to
from tests.helpers.people import STAFF_PASSWORD, iccid, make_staff

#: Иванов's number as staff pages show it.
SHOWN_NUMBER = "+7 916 123-45-67"
#: An ICCID whose check digit is wrong (the right one ends in 7).
BAD_ICCID = "8970199000000000001"


@pytest.fixture
def ivanov(session: Session, config) -> Subscriber:
    """The caller, with his calls and a Moscow office."""
    return make_ivanov(session, config.PII_KEY)


def _answers_table(page: Page) -> dict[str, str]:
    """The claim page's answers: row heading → what the agent sees."""
    rows = page.get_by_role("table").first.get_by_role("row").all()
    return {row.get_by_role("rowheader").inner_text(): row.get_by_role("cell").inner_text() for row in rows}


def test_agent_takes_a_claim_on_a_call(page, live_server, session, ivanov, axe, screenshot):
    agent = make_staff(session, StaffRole.AGENT, login="agent-e2e")
    staff_sign_in(page, live_server, agent.login)
    expect(page).to_have_url(live_server("/agent/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Потеря SIM-карты: обращение по телефону")
    axe(page)

    # The number first: the status panel tells the agent what may be known before asking.
    page.get_by_label("Потерянный номер").fill("8 916 123 45 67")
    page.get_by_label("Фамилия, имя и отчество абонента").focus()
    status = page.locator("#number-status")
    expect(status).to_be_visible()
    expect(status).to_contain_text("0 / 5")
    expect(status).not_to_contain_text("Москва")  # the home region only once a claim proved the identity

    page.get_by_label("Фамилия, имя и отчество абонента").fill("иванов иван иванович")
    page.get_by_label("Серия и номер паспорта").fill("45 09 123456")
    page.get_by_label("Адрес регистрации").fill(
        "г. Москва, ул. Ленина, д. 7, кв. 1"
    )  # the caller misremembers
    page.get_by_label("Недавний номер 1").fill(CALLS[0])
    page.get_by_label("Недавний номер 2").fill("+7 925 444-55-66")
    page.get_by_label("Недавний номер 3").fill("+79161112233")
    page.get_by_label("Регион, где абонент сейчас").select_option("RU-MOW")
    page.get_by_label("Заблокировать и получить новую SIM-карту с тем же номером").check()
    screenshot("Agent console: the caller's answers typed", suffix="console")
    with page.expect_navigation():
        page.get_by_role("button", name="Проверить и принять решение").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Обращение по номеру {SHOWN_NUMBER}")
    answers = _answers_table(page)
    assert answers["Фамилия, имя, отчество"] == "✓ Совпадает"
    assert answers["Паспорт"] == "✓ Совпадает"
    assert answers["Адрес регистрации"] == "✗ Не совпадает"
    assert (
        answers["Недавние звонки"].startswith("✓ Совпадает")
        and "совпало 2, нужно 2" in answers["Недавние звонки"]
    )
    # A reissue needs every answer: the SIM is blocked, the caller is sent to an office.
    expect(page.locator(".lead")).to_contain_text("блокировка")
    main = page.get_by_role("main")
    expect(main).to_contain_text("с паспортом")
    # Nothing stored is ever shown: neither the address on record nor the calls.
    for secret in (ADDRESS, "Ленина, д. 5", CALLS[2], PASSPORT):
        expect(main).not_to_contain_text(secret)
    axe(page)
    screenshot("Agent console: per-answer result and outcome")

    [made] = session.scalars(select(Claim)).all()
    assert (made.outcome, made.channel.value, made.staff_user_id) == (Outcome.BLOCK, "agent", agent.id)
    assert made.ticket.type.value == "block"

    # The claim is in the agent's recent claims.
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("Новое обращение$")).click()
    expect(page.get_by_role("link", name=SHOWN_NUMBER)).to_be_visible()


def _press(page: Page, key: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def test_agent_console_with_the_keyboard_only(new_page, live_server, session, ivanov):
    agent = make_staff(session, StaffRole.AGENT, login="agent-keys")
    page = new_page(locale="en-GB")
    page.goto(live_server("/staff/login"))
    tab_to(page, "#login")
    page.keyboard.type(agent.login)
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "password"
    page.keyboard.type(STAFF_PASSWORD)
    _press(page, "Enter")
    expect(page).to_have_url(live_server("/agent/"))

    tab_to(page, "#msisdn")
    page.keyboard.type(NUMBER)
    for field, text in (("full_name", NAME), ("passport", PASSPORT), ("registered_address", ADDRESS)):
        page.keyboard.press("Tab")
        assert focused(page)["id"] == field
        page.keyboard.type(text)
    for n, number in enumerate(CALLS, start=1):
        page.keyboard.press("Tab")
        assert focused(page)["id"] == f"call_{n}"
        page.keyboard.type(number)
    tab_to(page, "#current_region")
    page.keyboard.type("Moscow")
    expect(page.locator("#current_region")).to_have_value("RU-MOW")
    tab_to(page, "input[name=action]:checked, input[name=action][value=block]")
    page.keyboard.press("ArrowDown")  # the second choice: block and reissue
    expect(page.locator("input[name=action][value=reissue]")).to_be_checked()
    tab_to(page, "main button[type=submit]")
    _press(page, "Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Claim for {SHOWN_NUMBER}")
    expect(page.locator(".lead")).to_contain_text("reissue")
    assert session.scalar(select(Claim.outcome)) is Outcome.REISSUE


def test_office_hands_over_the_new_sim(
    page, live_server, session, config, ivanov, axe, screenshot, browser_errors
):
    ticket = claim(session, config.PII_KEY, action=Action.REISSUE, calls=CALLS).ticket
    assert ticket is not None and ticket.type.value == "reissue"
    clerk = make_staff(session, StaffRole.OFFICE, login="office-msk", region="RU-MOW")
    new_iccid = iccid()

    staff_sign_in(page, live_server, clerk.login)
    expect(page).to_have_url(live_server("/office/"))
    expect(page.get_by_text("Регион: Москва")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=SHOWN_NUMBER)
    expect(row).to_contain_text(ticket.reference)
    axe(page)
    screenshot("Office: reissue queue of the home region", suffix="queue")
    with page.expect_navigation():
        row.get_by_role("link", name="Открыть").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Новая SIM-карта для номера {SHOWN_NUMBER}")
    page.get_by_label("Серия и номер паспорта из предъявленного документа").fill(PASSPORT)
    page.get_by_label("ICCID новой SIM-карты").fill(BAD_ICCID)
    with page.expect_navigation():
        page.get_by_role("button", name="Выдать и перенести номер").click()
    iccid_field = page.get_by_label("ICCID новой SIM-карты")
    expect(iccid_field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#iccid-error")).to_contain_text("ICCID состоит из 19 или 20 цифр")
    browser_errors.clear()  # the page with the field error is answered 400, as expected
    axe(page)

    # Typed in groups of four, as printed on the card.
    iccid_field.fill(" ".join(new_iccid[i : i + 4] for i in range(0, len(new_iccid), 4)))
    page.get_by_label("Серия и номер паспорта из предъявленного документа").fill(PASSPORT)
    with page.expect_navigation():
        page.get_by_role("button", name="Выдать и перенести номер").click()

    expect(
        page.get_by_role("status").filter(has_text="Готово: номер перенесён на новую SIM-карту")
    ).to_be_visible()
    details = page.locator("dl")
    expect(details).to_contain_text("выполнена")
    expect(details).to_contain_text(new_iccid)
    expect(details).to_contain_text(re.compile("Период охлаждения\\s*без SMS и мобильного интернета до"))
    expect(page.get_by_role("button", name="Выдать и перенести номер")).to_have_count(0)
    axe(page)
    screenshot("Office: new SIM handed over, cooling period")

    session.expire_all()
    assert session.get(Ticket, ticket.id).status is TicketStatus.DONE
    sims = {sim.iccid: sim for sim in session.scalars(select(Sim).where(Sim.subscriber_id == ivanov.id))}
    assert sims[new_iccid].status is SimStatus.ACTIVE and sims[new_iccid].cooling_until is not None
    assert [s.status for s in sims.values() if s.iccid != new_iccid] == [SimStatus.RETIRED]

    with page.expect_navigation():
        page.get_by_role("link", name="К очереди").click()
    expect(page.get_by_text("В вашем регионе нет открытых заявок.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=SHOWN_NUMBER)).to_contain_text("выполнена")
