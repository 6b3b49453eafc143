"""The agent console: a live-call claim with per-answer results, and nothing stored shown."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from recovery.models import AuditEvent, Claim, Outcome, StaffRole
from tests.helpers.claims import UNKNOWN_NUMBER
from tests.helpers.people import IVANOV, make_staff
from tests.helpers.web import login, post_form

STORED_VALUES = ("Ленина", "4509 123456", "4509123456", "+79031112233", "+79254445566", "ivanov@example.ru")


def console_claim(**changes: str) -> dict[str, str]:
    data = {
        "msisdn": "8 916 123-45-67",
        "full_name": "иванов иван иванович",
        "passport": IVANOV["passport"],
        "registered_address": IVANOV["address"],
        "call_1": "8 903 111-22-33",
        "call_2": "+7 925 444 55 66",
        "call_3": "",
        "current_region": "RU-MOW",
        "lost_at": "",
        "action": "reissue",
    }
    data.update(changes)
    return data


def submit(client, **changes: str):
    return post_form(client, "/agent/", "/agent/claims", console_claim(**changes))


def _main(page: str) -> str:
    return re.search(r"<main.*</main>", page, re.S).group(0)


def test_a_claim_on_a_call_shows_each_answer_and_the_outcome(client, session, ivanov, agent):
    login(client, agent)
    response = submit(client)
    assert response.status_code == 302
    claim = session.scalar(select(Claim))
    assert response.headers["Location"] == f"/agent/claims/{claim.id}"
    assert (
        claim.outcome is Outcome.REISSUE
        and claim.staff_user_id == agent.id
        and claim.channel.value == "agent"
    )
    page = _main(client.get(response.headers["Location"]).get_data(as_text=True))
    assert page.count("is-match") == 4 and "is-mismatch" not in page
    assert "совпало 2, нужно 2" in page and "Москва" in page and claim.ticket.reference in page
    for value in STORED_VALUES:
        assert value not in page
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "claim.submitted"))
    assert (event.actor, event.channel, event.ip) == ("staff:agent-1", "agent", "127.0.0.1")


def test_a_mismatch_is_shown_per_answer_without_the_stored_value(client, session, ivanov, agent):
    login(client, agent)
    response = submit(client, registered_address="г. Москва, ул. Ленина, д. 5, кв. 13", action="block")
    page = _main(client.get(response.headers["Location"]).get_data(as_text=True))
    assert page.count("Не совпадает") == 1 and "кв. 12" not in page
    assert session.scalar(select(Claim.outcome)) is Outcome.BLOCK


def test_an_unknown_number_is_rejected_and_shows_only_not_verified(client, session, agent):
    login(client, agent)
    response = submit(client, msisdn=UNKNOWN_NUMBER)
    page = _main(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "не проверено" in page and "отказ" in page
    # No per-answer rows and no home region: not even "not our subscriber".
    assert "не наш абонент" not in page and "is-mismatch" not in page and "Домашний регион" not in page
    assert session.scalar(select(Claim.outcome)) is Outcome.REJECTED


def test_a_wrong_passport_shows_only_not_verified(client, session, ivanov, agent):
    login(client, agent)
    response = submit(client, passport="4509 000000")
    page = _main(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "не проверено" in page
    # The address and the calls were right: nothing on the page may say so.
    assert "is-match" not in page and "совпало" not in page and "Москва" not in page
    assert session.scalar(select(Claim.outcome)) is Outcome.REJECTED


def test_the_number_status_shows_the_lock_only_and_the_same_for_any_number(client, session, ivanov, agent):
    login(client, agent)
    status = client.get("/agent/number-status?msisdn=8 916 123 45 67").get_json()
    assert status == {
        "msisdn": IVANOV["msisdn"],
        "locked": False,
        "lockedUntil": None,
        "failedClaims": 0,
        "maxFailedClaims": 5,
    }
    stranger = client.get("/agent/number-status", query_string={"msisdn": UNKNOWN_NUMBER}).get_json()
    assert {**stranger, "msisdn": IVANOV["msisdn"]} == status
    page = _main(client.get("/agent/", query_string={"msisdn": IVANOV["msisdn"]}).get_data(as_text=True))
    panel = re.search(r'<section id="number-status".*?</section>', page, re.S).group(0)
    assert "Москва" not in panel and "Домашний регион" not in panel
    for value in (*STORED_VALUES, "Иванов Иван"):
        assert value not in page
    assert client.get("/agent/number-status?msisdn=abc").status_code == 400


def test_failures_lock_the_number_in_the_console_too(client, session, ivanov, agent):
    login(client, agent)
    for _ in range(5):
        submit(client, passport="1111 111111")
    response = submit(client)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert session.scalars(select(Claim.outcome).order_by(Claim.created_at)).all()[-1] is Outcome.LOCKED
    assert "проверка приостановлена до" in page
    assert (
        client.get("/agent/number-status", query_string={"msisdn": IVANOV["msisdn"]}).get_json()["locked"]
        is True
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("msisdn", "123"),
        ("passport", "12"),
        ("call_1", "call me"),
        ("current_region", "RU-ZZZ"),
        ("action", "x"),
    ],
)
def test_bad_answers_are_shown_next_to_their_field(client, session, agent, field, value):
    login(client, agent)
    response = submit(client, **{"passport": "7812 345678", field: value})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert "7812 345678" not in page  # the typed passport is never sent back
    assert session.scalar(select(Claim)) is None


def test_agents_see_only_their_own_claims(app, session, ivanov, agent):
    client = app.test_client()
    login(client, agent)
    claim_url = submit(client).headers["Location"]
    assert "+7 916 123-45-67" in client.get("/agent/").get_data(as_text=True)
    other = app.test_client()
    login(other, make_staff(session, StaffRole.AGENT, login="agent-2"))
    assert other.get(claim_url).status_code == 404
    assert IVANOV["msisdn"] not in _main(other.get("/agent/").get_data(as_text=True))
