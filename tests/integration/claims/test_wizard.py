"""The self-service wizard: every row of the decision table, and what the database holds after."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from recovery.models import (
    Claim,
    ClaimDraft,
    Office,
    Outcome,
    Sim,
    SimStatus,
    Subscriber,
    Ticket,
    TicketStatus,
)
from tests.helpers.claims import (
    UNKNOWN_NUMBER,
    WizardAnswers,
    add_post_loss_activity,
    audit_actions,
    count,
    fill_wizard,
    outbox,
    submit_wizard,
)
from tests.helpers.people import IVANOV
from tests.helpers.web import csrf_token, post_form, without_csrf_tokens


def _sim(session, subscriber_id) -> Sim:
    session.expire_all()
    return session.scalar(
        select(Sim).where(Sim.subscriber_id == subscriber_id, Sim.status != SimStatus.RETIRED)
    )


def _tickets(session, subscriber_id) -> list[Ticket]:
    session.expire_all()
    return list(session.scalars(select(Ticket).where(Ticket.subscriber_id == subscriber_id)))


def test_reissue_in_the_home_region_blocks_and_opens_a_ticket_with_the_offices(client, session, ivanov):
    session.add(Office(region="RU-MOW", name="Салон на Тверской", address="г. Москва, ул. Тверская, д. 6"))
    session.commit()
    page = submit_wizard(client, WizardAnswers(action="reissue"))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    [ticket] = _tickets(session, ivanov.id)
    assert (ticket.type.value, ticket.status, ticket.region) == ("reissue", TicketStatus.OPEN, "RU-MOW")
    assert ticket.reference in text and str(ticket.id) not in text  # the UUID stays internal
    assert "г. Москва, ул. Тверская, д. 6" in text and "Москва" in text
    assert _sim(session, ivanov.id).status is SimStatus.BLOCKED
    claim = session.scalar(select(Claim))
    assert claim.outcome is Outcome.REISSUE and claim.ticket_id == ticket.id and claim.channel.value == "web"
    assert [n.recipient for n in outbox(session)] == ["ivanov@example.ru"]
    assert {"claim.submitted", "sim.blocked", "ticket.opened"} <= set(audit_actions(session))
    # Nothing the claimant typed, and nothing stored, is shown back.
    assert "4509" not in text and "Ленина" not in text and "+79031112233" not in text
    assert count(session, ClaimDraft) == 0


def test_block_with_name_and_passport_only_blocks_at_once(client, session, ivanov):
    answers = WizardAnswers(action="block", address="", calls=())
    page = submit_wizard(client, answers)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Ваша SIM-карта блокируется…" in text
    [ticket] = _tickets(session, ivanov.id)
    assert (ticket.type.value, ticket.status) == ("block", TicketStatus.DONE)
    assert _sim(session, ivanov.id).status is SimStatus.BLOCKED
    assert len(outbox(session)) == 1


def test_reissue_away_from_home_blocks_and_names_the_home_region(client, session, ivanov):
    page = submit_wizard(client, WizardAnswers(action="reissue", region="RU-SPE"))
    text = page.get_data(as_text=True)
    assert "только в его домашнем регионе" in text and "Москва" in text
    [ticket] = _tickets(session, ivanov.id)
    assert ticket.type.value == "block"
    assert session.scalar(select(Claim.outcome)) is Outcome.BLOCK
    assert _sim(session, ivanov.id).status is SimStatus.BLOCKED


def test_reissue_with_only_name_and_passport_blocks_and_sends_to_an_office(client, session, ivanov):
    page = submit_wizard(
        client, WizardAnswers(action="reissue", address="г. Москва, ул. Ленина, д. 7, кв. 1")
    )
    text = page.get_data(as_text=True)
    assert session.scalar(select(Claim.outcome)) is Outcome.BLOCK
    assert "с паспортом" in text
    assert [t.type.value for t in _tickets(session, ivanov.id)] == ["block"]


def test_owner_sim_lock_turns_a_reissue_into_a_block(client, session, ivanov):
    ivanov.reissue_in_person_only = True
    session.commit()
    submit_wizard(client, WizardAnswers(action="reissue"))
    assert session.scalar(select(Claim.outcome)) is Outcome.BLOCK
    assert [t.type.value for t in _tickets(session, ivanov.id)] == ["block"]


@pytest.mark.parametrize(
    "change",
    [
        {"passport": "4509 123457"},
        {"full_name": "Петров Иван Иванович"},
        {"passport": "4509 123457", "action": "block"},
    ],
)
def test_a_wrong_identity_is_rejected_with_no_ticket_and_the_sim_untouched(client, session, ivanov, change):
    answers = WizardAnswers(**change)
    page = submit_wizard(client, answers)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Не удалось подтвердить" in text
    assert _tickets(session, ivanov.id) == []
    assert _sim(session, ivanov.id).status is SimStatus.ACTIVE
    assert session.scalar(select(Claim.outcome)) is Outcome.REJECTED
    assert outbox(session) == []


def test_an_unknown_number_gets_exactly_the_page_of_a_wrong_answer(app, session, ivanov):
    wrong = submit_wizard(app.test_client(), WizardAnswers(passport="4509 123457"))
    unknown = submit_wizard(app.test_client(), WizardAnswers(msisdn=UNKNOWN_NUMBER))
    assert wrong.status_code == unknown.status_code == 200
    assert without_csrf_tokens(wrong.get_data(as_text=True)) == without_csrf_tokens(
        unknown.get_data(as_text=True)
    )
    assert count(session, Claim, Claim.msisdn == UNKNOWN_NUMBER, Claim.outcome == Outcome.REJECTED) == 1


def test_post_loss_activity_is_reported_after_a_block(client, session, ivanov, real_now):
    lost_at = real_now - timedelta(days=2)
    add_post_loss_activity(session, IVANOV["msisdn"], lost_at, 3)
    local = (lost_at + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")  # Moscow time
    page = submit_wizard(client, WizardAnswers(action="block", lost_at=local))
    text = page.get_data(as_text=True)
    assert "3 события с вашего номера после того, как вы его потеряли" in text
    assert session.scalar(select(Claim.post_loss_events)) == 3


def test_a_repeated_reissue_answers_with_the_open_ticket(app, session, ivanov):
    submit_wizard(app.test_client(), WizardAnswers())
    page = submit_wizard(app.test_client(), WizardAnswers())
    [ticket] = _tickets(session, ivanov.id)
    assert ticket.reference in page.get_data(as_text=True)
    assert count(session, Claim, Claim.outcome == Outcome.REISSUE) == 2


def test_english_pages_when_chosen(client, session, ivanov):
    headers = {"Accept-Language": "en"}
    page = submit_wizard(client, WizardAnswers(action="block"), headers=headers)
    assert "Your SIM card is being blocked…" in page.get_data(as_text=True)


# --- Steps, errors and navigation ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "data", "field", "message"),
    [
        ("number", {"msisdn": "12345", "full_name": "Иванов Иван"}, "msisdn", "Введите номер телефона"),
        (
            "number",
            {"msisdn": "+79161234567", "full_name": ""},
            "full_name",
            "Введите фамилию, имя и отчество",
        ),
    ],
)
def test_a_field_error_is_shown_next_to_its_field(client, step, data, field, message):
    response = post_form(client, f"/lost/step/{step}", f"/lost/step/{step}", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error"' in page
    assert re.search(rf'aria-describedby="[^"]*\b{field}-error"', page)
    assert message in page


@pytest.mark.parametrize(
    ("step", "data", "field"),
    [
        ("passport", {"passport": "45 09 12345"}, "passport"),
        ("passport", {"passport": ""}, "passport"),
        ("calls", {"call_1": "not a number"}, "call_1"),
        ("where", {"current_region": "RU-XXX"}, "current_region"),
        ("where", {"current_region": "RU-MOW", "lost_at": "2999-01-01T10:00"}, "lost_at"),
        ("action", {"action": "steal"}, "action"),
    ],
)
def test_later_steps_check_their_fields(client, step, data, field):
    post_form(
        client, "/lost/step/number", "/lost/step/number", {"msisdn": "+79161234567", "full_name": "Иванов И"}
    )
    answers = WizardAnswers()
    for name, values in answers.steps():
        if name == step:
            break
        post_form(client, f"/lost/step/{name}", f"/lost/step/{name}", values)
    response = post_form(client, f"/lost/step/{step}", f"/lost/step/{step}", data)
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)


def test_a_passport_typed_with_a_mistake_is_not_sent_back(client):
    post_form(
        client, "/lost/step/number", "/lost/step/number", {"msisdn": "+79161234567", "full_name": "Иванов И"}
    )
    response = post_form(client, "/lost/step/passport", "/lost/step/passport", {"passport": "7812 34567"})
    assert response.status_code == 400 and "7812 34567" not in response.get_data(as_text=True)


def test_a_reissue_without_address_or_calls_is_sent_back(client, ivanov):
    fill_wizard(client, WizardAnswers(action="block", address="", calls=()))
    response = post_form(client, "/lost/step/action", "/lost/step/action", {"action": "reissue"})
    assert response.status_code == 400
    assert "адрес регистрации" in response.get_data(as_text=True)


def test_a_step_cannot_be_skipped(client):
    assert client.get("/lost/step/calls").headers["Location"] == "/lost/step/number"
    assert client.get("/lost/review").headers["Location"] == "/lost/step/number"
    assert client.get("/lost/step/nonsense").status_code == 404


def test_back_and_review_edit_keep_the_answers(client, session, ivanov):
    fill_wizard(client, WizardAnswers())
    review = client.get("/lost/review").get_data(as_text=True)
    assert "Иванов Иван Иванович" in review and "4509" not in review
    # Back to the first step: its answers are prefilled.
    assert 'value="Иванов Иван Иванович"' in client.get("/lost/step/number").get_data(as_text=True)
    # The passport step never shows the passport back, and an empty field keeps it.
    passport_page = client.get("/lost/step/passport?then=review").get_data(as_text=True)
    assert "4509" not in passport_page and 'value="review"' in passport_page
    response = client.post(
        "/lost/step/passport",
        data={"passport": "", "then": "review", "csrf_token": csrf_token(passport_page)},
    )
    assert response.headers["Location"] == "/lost/review"
    # Change the region from the review page and come straight back.
    response = post_form(
        client,
        "/lost/step/where?then=review",
        "/lost/step/where",
        {"current_region": "RU-SPE", "then": "review"},
    )
    assert response.headers["Location"] == "/lost/review"
    assert "Санкт-Петербург" in client.get("/lost/review").get_data(as_text=True)


def test_the_draft_holds_no_answer_in_clear_and_the_cookie_holds_none(client, session, ivanov):
    fill_wizard(client, WizardAnswers())
    [draft] = session.scalars(select(ClaimDraft)).all()
    stored = bytes(draft.payload)
    for secret in (b"4509", b"123456", "Иванов".encode(), "Ленина".encode(), b"79031112233"):
        assert secret not in stored
    cookie = client.get_cookie("session").value
    for secret in ("4509", "123456", "Ivanov", "79031112233"):
        assert secret not in cookie


def test_an_expired_draft_starts_again(client, session, ivanov):
    fill_wizard(client, WizardAnswers())
    draft = session.scalars(select(ClaimDraft)).one()
    draft.expires_at = draft.created_at - timedelta(minutes=1)
    session.commit()
    response = client.get("/lost/review")
    assert response.headers["Location"] == "/lost/step/number"
    assert "истекло" in client.get("/lost/step/number").get_data(as_text=True)


def test_submit_and_steps_need_csrf(client, ivanov):
    response = client.post("/lost/step/number", data={"msisdn": IVANOV["msisdn"], "full_name": "Иванов"})
    assert response.status_code == 400
    fill_wizard(client, WizardAnswers())
    assert client.post("/lost/submit", data={}).status_code == 400


def test_the_result_page_needs_a_claim_of_this_session(client, session, ivanov):
    assert client.get("/lost/result").headers["Location"] == "/lost/"
    assert session.scalar(select(Subscriber.id)) == ivanov.id
