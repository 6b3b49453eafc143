"""What a walk through the staff pages found (issue 17), in a browser at 1280 px and 390 px: the
supervisor reaches the network page from the menu and reads the audit log in words; paused checks
are "paused", never "locked"; an office clerk meets another region's ticket on a staff page and
cannot cancel a ticket without a reason in words and a confirmation; the agent sees grouped
numbers and ticket references."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from recovery.models import Action, StaffRole, Subscriber, TicketStatus
from tests.e2e.conftest import DESKTOP, MOBILE
from tests.e2e.data import CALLS, NUMBER, claim, make_ivanov
from tests.e2e.steps import staff_sign_in
from tests.helpers.people import make_staff

SHOWN_NUMBER = "+7 916 123-45-67"
VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, MOBILE], ids=["1280px", "390px"])


@pytest.fixture
def ivanov(session: Session, config) -> Subscriber:
    """The caller, with his calls and a Moscow office."""
    return make_ivanov(session, config.PII_KEY)


def _no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def _pause_checks(session: Session, config) -> None:
    for _ in range(5):
        claim(session, config.PII_KEY, action=Action.BLOCK, passport="4509 000000")


@VIEWPORTS
def test_the_supervisor_reads_paused_checks_and_the_audit_log_in_words(
    new_page, live_server, session, config, ivanov, axe, screenshot, viewport, browser_errors
):
    _pause_checks(session, config)
    supervisor = make_staff(session, StaffRole.SUPERVISOR, login="walk-supervisor")
    page = new_page(viewport=viewport)
    staff_sign_in(page, live_server, supervisor.login)

    page.goto(live_server("/supervisor/locks"))
    main = page.get_by_role("main")
    expect(page.get_by_role("heading", level=1)).to_have_text("Номера с приостановленной проверкой")
    expect(main.get_by_role("row").filter(has_text=SHOWN_NUMBER)).to_contain_text("г.")  # month by name
    expect(main).not_to_contain_text("аблокирован до")
    page.get_by_label("Номер телефона").fill("8 (916) 123-45-67")
    page.get_by_label("Причина возобновления проверки").fill("проверен")
    with page.expect_navigation():
        page.get_by_role("button", name="Возобновить проверку").click()
    expect(page.locator("#reason-error")).to_contain_text("не меньше 3 слов")
    expect(page.locator("#confirm-error")).to_contain_text("Отметьте флажок")
    _no_sideways_scroll(page)
    screenshot(
        f"Supervisor: resuming checks needs a reason in words ({viewport['width']} px)", suffix="locks"
    )
    page.get_by_label("Причина возобновления проверки").fill("владелец пришёл в офис с паспортом")
    page.get_by_role("checkbox").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Возобновить проверку").click()
    expect(page.get_by_role("status")).to_contain_text(f"Проверка номера {SHOWN_NUMBER} возобновлена")
    browser_errors.clear()  # the form with errors was answered 400, as expected

    page.goto(live_server("/supervisor/audit?text=8+(916)+123-45-67"))
    table = page.get_by_role("table")
    expect(table).to_contain_text("Заявка подана")
    expect(table).to_contain_text("Проверка возобновлена")
    expect(table).to_contain_text(SHOWN_NUMBER)
    text = page.get_by_role("main").inner_text()
    assert not re.search(r"\b[a-z]+\.[a-z_]+\b|\bRU-[A-Z]{2,3}\b|\b[a-z]+_[a-z_]+\b", text), text
    expect(table.locator("[data-action='claim.submitted']").first).to_have_attribute(
        "title", "claim.submitted"
    )
    _no_sideways_scroll(page)
    axe(page)
    screenshot(f"Supervisor: the audit log in words ({viewport['width']} px)", suffix="audit")

    with page.expect_navigation():
        page.get_by_role("navigation").get_by_role("link", name="Изменения в сети").click()
    expect(page).to_have_url(live_server("/supervisor/network/"))


def test_english_staff_pages_say_checks_paused_never_locked(new_page, live_server, session, config, ivanov):
    _pause_checks(session, config)
    supervisor = make_staff(session, StaffRole.SUPERVISOR, login="walk-supervisor-en")
    agent = make_staff(session, StaffRole.AGENT, login="walk-agent-en")
    page = new_page(locale="en-GB")
    page.goto(live_server("/staff/login"))
    page.locator("#login").fill(supervisor.login)
    page.locator("#password").fill("correct-horse-battery")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    for path in ("/supervisor/", "/supervisor/locks"):
        page.goto(live_server(path))
        expect(page.locator("body")).not_to_contain_text(re.compile(r"\b[Ll]ocked\b|\b[Uu]nlock"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Numbers with checks paused")

    agent_page = new_page(locale="en-GB")
    agent_page.goto(live_server("/staff/login"))
    agent_page.locator("#login").fill(agent.login)
    agent_page.locator("#password").fill("correct-horse-battery")
    with agent_page.expect_navigation():
        agent_page.get_by_role("button", name="Sign in").click()
    agent_page.goto(live_server(f"/agent/?msisdn={NUMBER}"))
    panel = agent_page.locator("#number-status")
    expect(panel).to_contain_text("checks paused")
    expect(panel).to_contain_text(SHOWN_NUMBER)
    expect(agent_page.locator("body")).not_to_contain_text(re.compile(r"\block(ed)?\b", re.IGNORECASE))


@VIEWPORTS
def test_an_office_clerk_meets_another_regions_ticket_and_cancels_with_care(
    new_page, live_server, session, config, ivanov, axe, screenshot, viewport, browser_errors
):
    ticket = claim(session, config.PII_KEY, action=Action.REISSUE, calls=CALLS).ticket
    petersburg = make_staff(session, StaffRole.OFFICE, login="walk-office-spb", region="RU-SPE")
    moscow = make_staff(session, StaffRole.OFFICE, login="walk-office-msk", region="RU-MOW")

    page = new_page(viewport=viewport)
    staff_sign_in(page, live_server, petersburg.login)
    response = page.goto(live_server(f"/office/tickets/{ticket.id}"))
    assert response is not None and response.status == 403
    browser_errors.clear()  # the browser logs the 403 it was answered, as expected
    expect(page.get_by_role("heading", level=1)).to_have_text("Эта заявка относится к другому региону")
    expect(page.get_by_test_id("other-region")).to_contain_text("Москва")
    expect(page.get_by_role("link", name="Очередь офиса")).to_be_attached()  # the staff menu
    _no_sideways_scroll(page)
    axe(page)
    screenshot(f"Office: another region's ticket ({viewport['width']} px)", suffix="other-region")

    page = new_page(viewport=viewport)
    staff_sign_in(page, live_server, moscow.login)
    page.goto(live_server(f"/office/tickets/{ticket.id}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Новая SIM-карта для номера {SHOWN_NUMBER}")
    expect(page.locator("dl")).to_contain_text(ticket.reference)
    page.get_by_label("Причина отмены").fill("передумал")
    with page.expect_navigation():
        page.get_by_role("button", name="Отменить заявку").click()
    browser_errors.clear()  # the form with errors is answered 400, as expected
    expect(page.locator("#reason-error")).to_contain_text("не меньше 3 слов")
    expect(page.locator("#confirm-error")).to_contain_text("Отметьте флажок")
    _no_sideways_scroll(page)
    axe(page)
    screenshot(
        f"Office: a cancellation needs a reason and a confirmation ({viewport['width']} px)", suffix="cancel"
    )
    page.get_by_label("Причина отмены").fill("владелец нашёл телефон и оставляет SIM")
    page.get_by_role("checkbox").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Отменить заявку").click()
    expect(page.get_by_role("status")).to_contain_text("Заявка отменена")
    session.expire_all()
    session.refresh(ticket)
    assert ticket.status is TicketStatus.CANCELLED


@VIEWPORTS
def test_the_agent_sees_grouped_numbers_and_ticket_references(
    new_page, live_server, session, ivanov, axe, screenshot, viewport
):
    agent = make_staff(session, StaffRole.AGENT, login="walk-agent")
    page = new_page(viewport=viewport)
    staff_sign_in(page, live_server, agent.login)
    page.get_by_label("Потерянный номер").fill("8 (916) 123-45-67")
    page.get_by_label("Фамилия, имя и отчество абонента").fill("Иванов Иван Иванович")
    page.get_by_label("Серия и номер паспорта").fill("4509 123456")
    page.get_by_label("Регион, где абонент сейчас").select_option("RU-MOW")
    page.locator("input[name=action][value=block]").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Проверить и принять решение").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Обращение по номеру {SHOWN_NUMBER}")
    expect(page.get_by_test_id("not-asked")).to_have_count(2)
    reference = page.locator(".ticket-ref").inner_text()
    assert re.fullmatch(r"R-[2-9A-Y]{4}-[2-9A-Y]{3}", reference)
    expect(page.get_by_role("main")).not_to_contain_text(re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-"))  # no UUID
    _no_sideways_scroll(page)
    screenshot(f"Agent: a claim's page ({viewport['width']} px)", suffix="claim")

    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("Новое обращение$")).click()
    recent = page.get_by_role("listitem").filter(has=page.get_by_role("link", name=SHOWN_NUMBER))
    expect(recent).to_contain_text(reference)
    expect(recent).to_contain_text(re.compile(r"\d{1,2} [а-я]{3,5}\.? \d{4}"))  # the month by name
    _no_sideways_scroll(page)
    axe(page)
    screenshot(f"Agent: recent claims with ticket references ({viewport['width']} px)", suffix="console")
