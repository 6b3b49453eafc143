"""The claims and tickets API (DESIGN 3.2): the decision table, ids, fulfilment and every bad request."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from recovery.models import ApiRole, AuditEvent, Claim, Outcome, Sim, SimStatus, Ticket, TicketStatus
from tests.helpers.claims import UNKNOWN_NUMBER, add_post_loss_activity, count, outbox
from tests.helpers.people import IVANOV, iccid, make_api_client, make_subscriber
from tests.helpers.web import bearer


def claim_body(**changes: object) -> dict:
    """The README example claim for Иванов, with ``changes``."""
    body = {
        "phoneNumber": "8 916 123-45-67",
        "fullName": IVANOV["full_name"],
        "passport": IVANOV["passport"],
        "registeredAddress": IVANOV["address"],
        "recentCalls": ["+79031112233", "8 925 444 55 66", "84951234567"],
        "currentRegion": "RU-MOW",
        "action": "reissue",
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not ...}


@pytest.fixture
def agent_token(session) -> str:
    return make_api_client(session, ApiRole.AGENT, name="crm")


@pytest.fixture
def office_token(session) -> str:
    return make_api_client(session, ApiRole.OFFICE, region="RU-MOW", name="office-msk-pos")


def post_claim(client, token: str, body: object):
    return client.post("/api/v1/claims", json=body, headers=bearer(token))


def _current_sim(session, subscriber_id) -> Sim:
    session.expire_all()
    return session.scalar(
        select(Sim).where(Sim.subscriber_id == subscriber_id, Sim.status != SimStatus.RETIRED)
    )


# --- The decision table ------------------------------------------------------------------------


def test_reissue_in_the_home_region(client, session, ivanov, agent_token):
    response = post_claim(client, agent_token, claim_body())
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"claimId", "outcome", "homeRegion", "ticket", "verification", "messages"}
    assert body["outcome"] == "reissue" and body["homeRegion"] == "RU-MOW"
    assert body["ticket"]["type"] == "reissue" and body["ticket"]["status"] == "open"
    assert body["ticket"]["region"] == "RU-MOW" and uuid.UUID(body["ticket"]["id"])
    # The reference a person dictates, the one the result page and the e-mail show.
    stored = session.get(Ticket, uuid.UUID(body["ticket"]["id"]))
    assert body["ticket"]["reference"] == stored.reference
    assert re.fullmatch(r"R-[0-9A-Z]{4}-[0-9A-Z]{3}", stored.reference)
    assert body["verification"] == {
        "name": True,
        "passport": True,
        "address": True,
        "callsMatched": 3,
        "callsRequired": 2,
        "postLossActivity": 0,
    }
    assert body["messages"] and all(isinstance(m, str) for m in body["messages"])
    assert response.headers["Location"].endswith(f"/api/v1/claims/{body['claimId']}")
    assert _current_sim(session, ivanov.id).status is SimStatus.BLOCKED
    claim = session.get(Claim, uuid.UUID(body["claimId"]))
    assert claim.channel.value == "api" and claim.api_client_id is not None
    assert len(outbox(session)) == 1
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "claim.submitted"))
    assert event.actor == "api:crm" and event.details["outcome"] == "reissue"
    # No answer is kept in the claim or the audit log.
    stored = json.dumps(claim.verification, ensure_ascii=False) + json.dumps(
        event.details, ensure_ascii=False
    )
    for answer in ("4509", "Иванов", "Ленина", "79031112233"):
        assert answer not in stored


def test_block_needs_only_name_and_passport(client, session, ivanov, agent_token):
    body = claim_body(action="block", registeredAddress="", recentCalls=[])
    response = post_claim(client, agent_token, body)
    assert response.status_code == 201
    data = response.get_json()
    assert (
        data["outcome"] == "block"
        and data["ticket"]["type"] == "block"
        and data["ticket"]["status"] == "done"
    )
    assert data["verification"]["address"] is False and data["verification"]["callsMatched"] == 0
    assert _current_sim(session, ivanov.id).status is SimStatus.BLOCKED


def test_reissue_away_from_home_is_a_block_naming_the_home_region(client, session, ivanov, agent_token):
    data = post_claim(client, agent_token, claim_body(currentRegion="RU-SPE")).get_json()
    assert data["outcome"] == "block" and data["homeRegion"] == "RU-MOW"
    assert data["ticket"]["type"] == "block"
    assert any("Москва" in message for message in data["messages"])
    assert count(session, Ticket, Ticket.type == "reissue") == 0


def test_english_messages_on_request(client, ivanov, agent_token):
    response = client.post(
        "/api/v1/claims",
        json=claim_body(currentRegion="RU-SPE"),
        headers={**bearer(agent_token), "Accept-Language": "en"},
    )
    assert any("only in its home region, Moscow" in m for m in response.get_json()["messages"])


def test_reissue_with_only_name_and_passport_is_a_block(client, ivanov, agent_token):
    data = post_claim(
        client, agent_token, claim_body(recentCalls=["+79000000001", "+79000000002"])
    ).get_json()
    assert data["outcome"] == "block"
    assert data["verification"]["callsMatched"] == 0 and data["verification"]["address"] is True


@pytest.mark.parametrize("phone", [IVANOV["msisdn"], UNKNOWN_NUMBER])
def test_a_wrong_passport_or_an_unknown_number_is_rejected(client, session, ivanov, agent_token, phone):
    response = post_claim(client, agent_token, claim_body(phoneNumber=phone, passport="4509 000000"))
    assert response.status_code == 201
    data = response.get_json()
    assert data["outcome"] == "rejected" and data["ticket"] is None and data["verification"] is None
    assert _current_sim(session, ivanov.id).status is SimStatus.ACTIVE
    assert count(session, Ticket) == 0 and outbox(session) == []


def test_post_loss_activity_is_counted(client, session, ivanov, agent_token, real_now):
    lost_at = real_now - timedelta(days=1)
    add_post_loss_activity(session, IVANOV["msisdn"], lost_at, 4)
    body = claim_body(action="block", lostAt=lost_at.isoformat())
    data = post_claim(client, agent_token, body).get_json()
    assert data["verification"]["postLossActivity"] == 4


def test_a_repeated_claim_returns_the_open_ticket_with_200(client, session, ivanov, agent_token):
    first = post_claim(client, agent_token, claim_body())
    second = post_claim(client, agent_token, claim_body())
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.get_json()["ticket"] == second.get_json()["ticket"]
    assert count(session, Ticket, Ticket.type == "reissue", Ticket.status == "open") == 1
    assert len(outbox(session)) == 1


def test_five_failures_lock_the_number_for_every_channel(client, session, ivanov, agent_token):
    for _ in range(5):
        assert (
            post_claim(client, agent_token, claim_body(passport="1111 111111")).get_json()["outcome"]
            == "rejected"
        )
    data = post_claim(client, agent_token, claim_body()).get_json()
    assert data["outcome"] == "locked" and data["ticket"] is None
    assert data["verification"] is None
    assert _current_sim(session, ivanov.id).status is SimStatus.ACTIVE
    assert count(session, Claim, Claim.outcome == Outcome.LOCKED) == 1


def test_a_claim_and_its_ticket_can_be_read_back(client, session, ivanov, agent_token):
    created = post_claim(client, agent_token, claim_body()).get_json()
    read = client.get(f"/api/v1/claims/{created['claimId']}", headers=bearer(agent_token))
    assert read.status_code == 200 and read.get_json() == created
    ticket = client.get(f"/api/v1/tickets/{created['ticket']['id']}", headers=bearer(agent_token))
    assert ticket.status_code == 200 and ticket.get_json() == created["ticket"]


@pytest.mark.parametrize(
    ("changes", "outcome"),
    [
        ({"action": "block"}, "block"),
        ({"registeredAddress": "г. Тверь, ул. Советская, д. 1", "recentCalls": []}, "block"),
        ({"passport": "1111 111111"}, "rejected"),
    ],
    ids=["block", "block-office-visit", "rejected"],
)
def test_the_answer_from_the_objects_equals_the_stored_one(client, ivanov, agent_token, changes, outcome):
    """The POST answers from the verification and decision in hand, the GET from the claim row."""
    created = post_claim(client, agent_token, claim_body(**changes)).get_json()
    assert created["outcome"] == outcome
    read = client.get(f"/api/v1/claims/{created['claimId']}", headers=bearer(agent_token))
    assert read.status_code == 200 and read.get_json() == created


@pytest.mark.parametrize("path", ["/api/v1/claims/{id}", "/api/v1/tickets/{id}"])
@pytest.mark.parametrize("ident", ["3f0e5b8a-2d4c-4e7b-9a61-5c2f8d9e0b17", "1", "not-a-uuid"])
def test_unknown_ids_are_404(client, agent_token, path, ident):
    response = client.get(path.format(id=ident), headers=bearer(agent_token))
    assert response.status_code == 404 and response.get_json()["code"] == "NOT_FOUND"


# --- Fulfilment ---------------------------------------------------------------------------------


def _open_ticket(client, agent_token) -> str:
    return post_claim(client, agent_token, claim_body()).get_json()["ticket"]["id"]


def test_an_office_fulfils_a_reissue_of_its_region(client, session, ivanov, agent_token, office_token):
    ticket_id = _open_ticket(client, agent_token)
    old = _current_sim(session, ivanov.id)
    new_iccid = iccid()
    before = datetime.now(UTC)
    response = client.post(
        f"/api/v1/tickets/{ticket_id}/fulfil",
        json={"iccid": new_iccid, "passport": IVANOV["passport"]},
        headers=bearer(office_token),
    )
    assert response.status_code == 200
    assert response.get_json() == {
        "id": ticket_id,
        "reference": session.get(Ticket, uuid.UUID(ticket_id)).reference,
        "type": "reissue",
        "status": "done",
        "region": "RU-MOW",
    }
    session.expire_all()
    new = _current_sim(session, ivanov.id)
    assert (
        new.iccid == new_iccid
        and new.status is SimStatus.ACTIVE
        and new.activated_at >= before - timedelta(seconds=1)
    )
    assert new.cooling_until == new.activated_at + timedelta(hours=24)
    assert session.get(Sim, old.id).status is SimStatus.RETIRED
    ticket = session.get(Ticket, uuid.UUID(ticket_id))
    assert ticket.status is TicketStatus.DONE and ticket.new_iccid == new_iccid
    assert len(outbox(session)) == 2
    again = client.post(
        f"/api/v1/tickets/{ticket_id}/fulfil",
        json={"iccid": iccid(), "passport": IVANOV["passport"]},
        headers=bearer(office_token),
    )
    assert again.status_code == 409 and again.get_json()["code"] == "CONFLICT"


def test_an_office_of_another_region_is_refused(client, session, ivanov, agent_token):
    ticket_id = _open_ticket(client, agent_token)
    spb = make_api_client(session, ApiRole.OFFICE, region="RU-SPE")
    response = client.post(
        f"/api/v1/tickets/{ticket_id}/fulfil",
        json={"iccid": iccid(), "passport": IVANOV["passport"]},
        headers=bearer(spb),
    )
    assert response.status_code == 403 and response.get_json()["code"] == "PERMISSION_DENIED"
    assert client.get(f"/api/v1/tickets/{ticket_id}", headers=bearer(spb)).status_code == 403
    assert session.get(Ticket, uuid.UUID(ticket_id)).status is TicketStatus.OPEN


def test_an_iccid_in_use_is_a_conflict(client, session, ivanov, agent_token, office_token, config):
    ticket_id = _open_ticket(client, agent_token)
    other = make_subscriber(session, config.PII_KEY, msisdn="+79260000001")
    taken = other.sims[0].iccid
    response = client.post(
        f"/api/v1/tickets/{ticket_id}/fulfil",
        json={"iccid": taken, "passport": IVANOV["passport"]},
        headers=bearer(office_token),
    )
    assert response.status_code == 409
    session.expire_all()
    assert session.get(Ticket, uuid.UUID(ticket_id)).status is TicketStatus.OPEN
    assert _current_sim(session, ivanov.id).status is SimStatus.BLOCKED


@pytest.mark.parametrize(
    "body",
    [
        {"iccid": "8970199000000000001", "passport": IVANOV["passport"]},
        {"iccid": "12345", "passport": IVANOV["passport"]},
        {"iccid": 8970199, "passport": IVANOV["passport"]},
        {},
        {"iccid": "x", "more": 1},
        {"iccid": "8970199000000000007"},
        {"iccid": "8970199000000000007", "passport": "not a passport"},
        {"iccid": "8970199000000000007", "passport": 4509123456},
    ],
)
def test_a_bad_iccid_is_400(client, ivanov, agent_token, office_token, body):
    ticket_id = _open_ticket(client, agent_token)
    response = client.post(f"/api/v1/tickets/{ticket_id}/fulfil", json=body, headers=bearer(office_token))
    assert response.status_code == 400 and response.get_json()["code"] == "INVALID_ARGUMENT"


# --- Bad requests ---------------------------------------------------------------------------------

FUTURE = (datetime.now(UTC) + timedelta(days=2)).isoformat()


@pytest.mark.parametrize(
    "body",
    [
        claim_body(phoneNumber=...),
        claim_body(fullName=...),
        claim_body(passport=...),
        claim_body(currentRegion=...),
        claim_body(action=...),
        claim_body(phoneNumber=79161234567),
        claim_body(phoneNumber="not a number"),
        claim_body(fullName=["Иванов"]),
        claim_body(fullName=""),
        claim_body(passport="4509"),
        claim_body(passport=4509123456),
        claim_body(currentRegion="RU-XXX"),
        claim_body(currentRegion="MOW"),
        claim_body(action="steal"),
        claim_body(recentCalls="+79031112233"),
        claim_body(recentCalls=["+79031112233", "+79031112234", "+79031112235", "+79031112236"]),
        claim_body(recentCalls=[79031112233]),
        claim_body(recentCalls=["x" * 33]),
        claim_body(phoneNumber="+1 650 253 0000"),
        claim_body(passport="4509 12345X"),
        claim_body(registeredAddress=None),
        claim_body(registeredAddress="x" * 1000),
        claim_body(lostAt="2026-11-20T18:00:00"),
        claim_body(lostAt="yesterday"),
        claim_body(extra="field"),
        [claim_body()],
        "text",
        None,
    ],
)
def test_every_malformed_claim_is_400_in_the_error_shape(client, session, ivanov, agent_token, body):
    response = post_claim(client, agent_token, body)
    assert response.status_code == 400
    data = response.get_json()
    assert set(data) == {"status", "code", "message"} and data["code"] == "INVALID_ARGUMENT"
    assert count(session, Claim) == 0


@pytest.mark.parametrize(
    "lost_at", [FUTURE, (datetime.now(UTC) - timedelta(days=400)).isoformat()], ids=["future", "400-days-ago"]
)
def test_a_loss_time_in_the_future_or_over_a_year_ago_is_out_of_range(client, session, agent_token, lost_at):
    response = post_claim(client, agent_token, claim_body(lostAt=lost_at))
    assert response.status_code == 400 and response.get_json()["code"] == "OUT_OF_RANGE"
    assert count(session, Claim) == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"phoneNumber": "+7 930 000-00-00"},  # the shape of a mobile number, but not one in service
        {"recentCalls": ["0890", "not a number", ""]},
        {"fullName": " "},
        {"passport": "№ 45-09 123456"},
    ],
)
def test_whatever_the_schema_admits_gets_a_decision(client, session, ivanov, agent_token, changes):
    response = post_claim(client, agent_token, claim_body(**changes))
    assert response.status_code in (200, 201), response.get_json()
    assert response.get_json()["outcome"] in ("reissue", "block", "rejected")


def test_malformed_json_and_wrong_content_type_are_400(client, agent_token):
    for data, content_type in (
        ("{not json", "application/json"),
        ("a=b", "application/x-www-form-urlencoded"),
    ):
        response = client.post(
            "/api/v1/claims", data=data, headers={**bearer(agent_token), "Content-Type": content_type}
        )
        assert response.status_code == 400 and response.get_json()["code"] == "INVALID_ARGUMENT"


def test_an_oversized_body_is_413(client, agent_token):
    body = claim_body(fullName="Я" * 100_000)
    response = post_claim(client, agent_token, body)
    assert response.status_code == 413 and response.get_json()["code"] == "PAYLOAD_TOO_LARGE"


@pytest.mark.parametrize(
    ("role", "method", "path"),
    [
        (ApiRole.OFFICE, "post", "/api/v1/claims"),
        (ApiRole.PARTNER, "post", "/api/v1/claims"),
        (ApiRole.PARTNER, "get", "/api/v1/claims/{claim}"),
        (ApiRole.OFFICE, "get", "/api/v1/claims/{claim}"),
        (ApiRole.PARTNER, "get", "/api/v1/tickets/{ticket}"),
        (ApiRole.AGENT, "post", "/api/v1/tickets/{ticket}/fulfil"),
        (ApiRole.PARTNER, "post", "/api/v1/tickets/{ticket}/fulfil"),
    ],
)
def test_wrong_roles_are_403_and_no_token_is_401(client, session, ivanov, agent_token, role, method, path):
    created = post_claim(client, agent_token, claim_body()).get_json()
    url = path.format(claim=created["claimId"], ticket=created["ticket"]["id"])
    token = make_api_client(session, role, region="RU-MOW" if role is ApiRole.OFFICE else None)
    kwargs = {"json": {"iccid": iccid()}} if method == "post" else {}
    wrong = getattr(client, method)(url, headers=bearer(token), **kwargs)
    assert wrong.status_code == 403 and wrong.get_json()["code"] == "PERMISSION_DENIED"
    anonymous = getattr(client, method)(url, **kwargs)
    assert anonymous.status_code == 401 and anonymous.get_json()["code"] == "UNAUTHENTICATED"


def test_the_openapi_document_lists_the_claims_api_and_its_errors(client):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    assert {"/api/v1/claims", "/api/v1/claims/{claim_id}", "/api/v1/tickets/{ticket_id}"} <= set(paths)
    create = paths["/api/v1/claims"]["post"]
    assert {"200", "201", "400", "401", "403", "413"} <= set(create["responses"])
    assert set(paths["/api/v1/tickets/{ticket_id}/fulfil"]["post"]["responses"]) >= {"200", "404", "409"}
    claim = document["components"]["schemas"]["ClaimRequest"]
    assert (
        "pattern" in claim["properties"]["phoneNumber"]
        and "RU-MOW" in claim["properties"]["currentRegion"]["enum"]
    )
