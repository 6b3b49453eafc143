"""What a walk through the pages found (issue 17): one post-loss count, numbers in any format."""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from recovery.models import CallEvent, Claim, Sim, SimStatus, Ticket
from tests.factories import add_call
from tests.integration.account.conftest import log_in_as, make_account
from tests.integration.claims.conftest import (
    IVANOV,
    WizardAnswers,
    fill_wizard,
    login,
    outbox,
    post_form,
    submit_wizard,
)

MOSCOW = ZoneInfo("Europe/Moscow")


def test_the_wizard_the_account_and_the_ledger_tell_one_post_loss_count(
    app, client, session, ivanov, real_now
):
    lost_at = (real_now - timedelta(hours=5)).replace(second=0)
    for minutes in (0, 30, 60):  # the SIM's own events at and after the loss: the first at the very minute
        add_call(session, IVANOV["msisdn"], f"+7999111{minutes:04d}", lost_at + timedelta(minutes=minutes))
    add_call(
        session, "+79990001122", IVANOV["msisdn"], lost_at + timedelta(minutes=90)
    )  # received: not counted
    session.commit()
    expected = session.scalar(
        select(func.count()).where(CallEvent.caller == IVANOV["msisdn"], CallEvent.started_at >= lost_at)
    )
    assert expected >= 3

    typed = lost_at.astimezone(MOSCOW).strftime("%Y-%m-%dT%H:%M")
    result = submit_wizard(client, WizardAnswers(action="block", lost_at=typed)).get_data(as_text=True)
    shown = re.search(r"(\d+) (?:событи[ея]|событий) с вашего номера", result)
    assert shown and int(shown.group(1)) == expected

    holder = app.test_client()
    log_in_as(holder, make_account(session, ivanov))
    details = holder.get("/account/details").get_data(as_text=True)
    assert f"{expected} " in details.split('data-testid="post-loss"', 1)[1].split("</strong>", 1)[0]
    assert details.count("возможно, не вы</span>") == expected
    overview = holder.get("/account/").get_data(as_text=True)
    assert f"было {expected} " in overview


def test_audit_search_finds_a_number_typed_in_any_format(client, session, ivanov, supervisor):
    submit_wizard(client, WizardAnswers(action="block"))
    login(client, supervisor)
    for typed in ("8 (916) 123-45-67", "+7 916 123 45 67", "89161234567"):
        page = client.get("/supervisor/audit", query_string={"text": typed}).get_data(as_text=True)
        assert "claim.submitted" in page or "Заявка подана" in page, typed


def test_the_ticket_reference_is_on_the_result_page_and_in_the_email_not_the_uuid(client, session, ivanov):
    page = submit_wizard(client, WizardAnswers()).get_data(as_text=True)
    ticket = session.scalars(select(Ticket)).one()
    assert re.fullmatch(r"R-[2-9A-Y]{4}-[2-9A-Y]{3}", ticket.reference)
    assert ticket.reference in page and str(ticket.id) not in page
    emails = [message.body for message in outbox(session) if message.channel == "email"]
    assert emails and all(ticket.reference in body and str(ticket.id) not in body for body in emails)


def test_the_loss_time_is_read_in_the_claimants_zone_and_named_on_the_review(
    client, session, ivanov, real_now
):
    novosibirsk = ZoneInfo("Asia/Novosibirsk")
    typed = (real_now - timedelta(hours=3)).astimezone(novosibirsk).replace(second=0)
    answers = WizardAnswers(action="block", region="RU-NVS", lost_at=typed.strftime("%Y-%m-%dT%H:%M"))
    fill_wizard(client, answers)
    review = client.get("/lost/review").get_data(as_text=True)
    assert f"{typed:%H:%M} (Новосибирск, UTC+7)" in review
    assert "Нажатие кнопки сразу блокирует SIM-карту" in review
    post_form(client, "/lost/review", "/lost/submit", {})
    claim = session.scalars(select(Claim)).one()
    assert claim.lost_at == typed.astimezone(UTC)


def test_a_claimant_may_name_another_zone_for_the_loss_time(client, session, ivanov, real_now):
    kaliningrad = ZoneInfo("Europe/Kaliningrad")
    typed = (real_now - timedelta(hours=3)).astimezone(kaliningrad).replace(second=0)
    extra = {"time_zone": "Europe/Kaliningrad"}
    answers = WizardAnswers(action="block", lost_at=typed.strftime("%Y-%m-%dT%H:%M"))
    steps = dict(answers.steps())
    steps["where"] = {**steps["where"], **extra}
    for name, data in steps.items():
        assert post_form(client, f"/lost/step/{name}", f"/lost/step/{name}", data).status_code == 302
    assert "(Калининград, UTC+2)" in client.get("/lost/review").get_data(as_text=True)
    post_form(client, "/lost/review", "/lost/submit", {})
    assert session.scalars(select(Claim)).one().lost_at == typed.astimezone(UTC)


def test_a_rejected_claim_offers_to_try_again_with_the_answers_but_not_the_passport(client, session, ivanov):
    page = submit_wizard(client, WizardAnswers(passport="4509 000000", action="block")).get_data(as_text=True)
    assert "Проверить ответы и попробовать снова" in page
    assert 'href="tel:+78002500890"' in page
    for which in ("паспорт не совпал", "ФИО не совпал", "адрес не совпал"):
        assert which not in page.lower()
    again = client.get("/lost/review")
    assert again.status_code == 302 and again.headers["Location"].endswith("/lost/step/passport")
    passport_page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert (
        "000000" not in passport_page
        and 'name="passport" spellcheck="false" type="text" value=""' in passport_page
    )
    number_page = client.get("/lost/step/number").get_data(as_text=True)
    assert IVANOV["full_name"] in number_page  # the other answers are kept


def test_an_unknown_number_is_offered_the_same_retry(client, session, ivanov):
    page = submit_wizard(client, WizardAnswers(msisdn="+79990000000", action="block")).get_data(as_text=True)
    assert "Проверить ответы и попробовать снова" in page


def test_the_paused_checks_page_says_paused_and_what_helps(client, session, ivanov):
    for _ in range(5):
        submit_wizard(client, WizardAnswers(passport="4509 000000", action="block"))
    page = submit_wizard(client, WizardAnswers(action="block")).get_data(as_text=True)
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    assert "приостановлена" in main and "заблокирована до" not in main
    assert "Сама SIM-карта из-за этой паузы не заблокирована" in main
    assert 'href="tel:+78002500890"' in main and "/account/login" in main


def _agent_claim(client, **changes: str):
    data = {
        "msisdn": "8 916 123-45-67",
        "full_name": IVANOV["full_name"],
        "passport": IVANOV["passport"],
        "registered_address": "",
        "call_1": "",
        "call_2": "",
        "call_3": "",
        "current_region": "RU-MOW",
        "lost_at": "",
        "action": "block",
    }
    data.update(changes)
    response = post_form(client, "/agent/", "/agent/claims", data)
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_the_console_says_not_asked_for_answers_left_empty(client, session, ivanov, agent):
    login(client, agent)
    page = _agent_claim(client)
    assert page.count('data-testid="not-asked"') == 2 and "не спрашивали" in page
    assert 'data-testid="recent-sim-change"' not in page
    answered = _agent_claim(client, registered_address="г. Москва, ул. Ленина, д. 7, кв. 1")
    assert answered.count('data-testid="not-asked"') == 1


def test_the_console_warns_of_a_sim_change_in_the_last_day(client, session, ivanov, agent, real_now):
    old = ivanov.sims[0]
    old.status, old.retired_at = SimStatus.RETIRED, real_now - timedelta(hours=3)
    session.flush()
    swapped = Sim(
        subscriber_id=ivanov.id, iccid="8970199000000000007", activated_at=real_now - timedelta(hours=3)
    )
    session.add(swapped)
    session.commit()
    login(client, agent)
    page = _agent_claim(client)
    assert 'data-testid="recent-sim-change"' in page and "за последние 24 часа" in page


def test_the_calls_step_refuses_the_same_number_twice_and_the_lost_number(client, session, ivanov):
    answers = WizardAnswers()
    for name, data in answers.steps()[:3]:
        post_form(client, f"/lost/step/{name}", f"/lost/step/{name}", data)
    typed = {"call_1": "+79031112233", "call_2": "8 903 111-22-33", "call_3": "8 (916) 123-45-67"}
    response = post_form(client, "/lost/step/calls", "/lost/step/calls", typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Этот номер вы уже указали" in page and "Это сам потерянный номер" in page
    assert 'aria-invalid="true"' in page


def test_an_unlock_needs_a_reason_in_words_and_a_confirmation(client, session, ivanov, supervisor):
    for _ in range(5):
        submit_wizard(client, WizardAnswers(passport="4509 000000", action="block"))
    login(client, supervisor)
    page = client.get("/supervisor/locks").get_data(as_text=True)
    assert "Номера с приостановленной проверкой" in page and "Заблокирован" not in page
    refused = post_form(
        client, "/supervisor/locks", "/supervisor/locks/unlock", {"msisdn": IVANOV["msisdn"], "reason": "ok"}
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "не меньше 3 слов" in text and "Отметьте флажок" in text
    data = {"msisdn": IVANOV["msisdn"], "reason": "владелец пришёл в офис с паспортом", "confirm": "y"}
    assert post_form(client, "/supervisor/locks", "/supervisor/locks/unlock", data).status_code == 302


def test_three_copies_of_one_number_get_a_message_at_each_repeat(client, session, ivanov):
    answers = WizardAnswers()
    for name, data in answers.steps()[:3]:
        post_form(client, f"/lost/step/{name}", f"/lost/step/{name}", data)
    typed = {"call_1": "+79031112233", "call_2": "8 903 111-22-33", "call_3": "89031112233"}
    response = post_form(client, "/lost/step/calls", "/lost/step/calls", typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    # Told at the second and the third field (and in the summary above), the first one kept.
    assert "Этот номер вы уже указали" in page and page.count('aria-invalid="true"') == 2
