"""The office queue: own region only, passport seen in person, the number moved to the new SIM."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from recovery.models import AuditEvent, Sim, SimStatus, Ticket, TicketStatus
from tests.helpers.claims import open_reissue, outbox
from tests.helpers.people import IVANOV, iccid, make_subscriber
from tests.helpers.web import csrf_token, login


@pytest.fixture
def msk_ticket(session, config, ivanov) -> Ticket:
    return open_reissue(session, config.PII_KEY, ivanov, IVANOV["calls"])


def _fulfil(client, ticket: Ticket, passport: str = IVANOV["passport"], new_iccid: str | None = None):
    page = client.get(f"/office/tickets/{ticket.id}").get_data(as_text=True)
    return client.post(
        f"/office/tickets/{ticket.id}/fulfil",
        data={"passport": passport, "iccid": new_iccid or iccid(), "csrf_token": csrf_token(page)},
    )


def _sims(session, subscriber_id) -> list[Sim]:
    session.expire_all()
    return list(session.scalars(select(Sim).where(Sim.subscriber_id == subscriber_id).order_by(Sim.id)))


def test_the_queue_shows_only_the_offices_region(
    app, session, config, msk_ticket, petrova, office_msk, office_spb
):
    spb_ticket = open_reissue(session, config.PII_KEY, petrova, ("+79213334455", "+78123456789"))
    msk, spb = app.test_client(), app.test_client()
    login(msk, office_msk)
    login(spb, office_spb)
    msk_page = msk.get("/office/").get_data(as_text=True)
    assert str(msk_ticket.id) in msk_page and str(spb_ticket.id) not in msk_page
    spb_page = spb.get("/office/").get_data(as_text=True)
    assert str(spb_ticket.id) in spb_page and str(msk_ticket.id) not in spb_page
    other = spb.get(f"/office/tickets/{msk_ticket.id}")
    assert other.status_code == 403
    text = other.get_data(as_text=True)
    assert "Эта заявка относится к другому региону" in text and "Москва" in text
    assert 'href="/office/"' in text  # the staff layout, not the public "not found"
    token = csrf_token(spb_page)
    response = spb.post(
        f"/office/tickets/{msk_ticket.id}/fulfil",
        data={"passport": IVANOV["passport"], "iccid": iccid(), "csrf_token": token},
    )
    assert response.status_code == 403
    cancel = spb.post(f"/office/tickets/{msk_ticket.id}/cancel", data={"reason": "x", "csrf_token": token})
    assert cancel.status_code == 403
    session.expire_all()
    assert session.get(Ticket, msk_ticket.id).status is TicketStatus.OPEN


def test_fulfilment_moves_the_number_to_the_new_sim_with_a_cooling_period(
    client, session, ivanov, msk_ticket, office_msk
):
    login(client, office_msk)
    new_iccid = iccid()
    response = _fulfil(client, msk_ticket, new_iccid=" ".join([new_iccid[:4], new_iccid[4:]]))
    assert response.status_code == 302
    old, new = _sims(session, ivanov.id)
    assert old.status is SimStatus.RETIRED and old.retired_at is not None
    assert new.iccid == new_iccid and new.status is SimStatus.ACTIVE
    assert new.cooling_until == new.activated_at + timedelta(hours=24)
    ticket = session.get(Ticket, msk_ticket.id)
    assert (
        ticket.status is TicketStatus.DONE
        and ticket.closed_by_id == office_msk.id
        and ticket.new_iccid == new_iccid
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "без SMS и мобильного интернета до" in page and "Готово" in page
    assert outbox(session)[-1].subject.startswith("Номер +79161234567 перенесён")
    assert (
        session.scalar(select(AuditEvent.actor).where(AuditEvent.action == "ticket.fulfilled"))
        == "staff:office-msk"
    )


def test_a_passport_that_does_not_match_stops_the_handover(client, session, ivanov, msk_ticket, office_msk):
    login(client, office_msk)
    response = _fulfil(client, msk_ticket, passport="4509 654321")
    assert response.status_code == 400
    assert "не совпадает с данными абонента" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Ticket, msk_ticket.id).status is TicketStatus.OPEN
    assert len(_sims(session, ivanov.id)) == 1
    assert (
        session.scalar(select(AuditEvent).where(AuditEvent.action == "ticket.passport_mismatch")) is not None
    )


@pytest.mark.parametrize("bad", ["1234", "89701990000000000000", "8970 1990 0000 0000 00x"])
def test_a_bad_iccid_is_refused_next_to_the_field(client, session, msk_ticket, office_msk, bad):
    login(client, office_msk)
    response = _fulfil(client, msk_ticket, new_iccid=bad)
    assert response.status_code == 400 and 'id="iccid-error"' in response.get_data(as_text=True)


def test_an_iccid_already_in_use_is_refused(client, session, config, ivanov, msk_ticket, office_msk):
    other = make_subscriber(session, config.PII_KEY, msisdn="+79260000001")
    login(client, office_msk)
    response = _fulfil(client, msk_ticket, new_iccid=other.sims[0].iccid)
    assert response.status_code == 409 and "уже привязана" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Ticket, msk_ticket.id).status is TicketStatus.OPEN
    assert [sim.status for sim in _sims(session, ivanov.id)] == [SimStatus.BLOCKED]


def test_a_ticket_closed_meanwhile_gets_a_clear_message(client, session, msk_ticket, office_msk):
    login(client, office_msk)
    page = client.get(f"/office/tickets/{msk_ticket.id}").get_data(as_text=True)
    assert _fulfil(client, msk_ticket).status_code == 302
    # A second clerk's form, opened before the first hand-over, is sent now.
    response = client.post(
        f"/office/tickets/{msk_ticket.id}/fulfil",
        data={"passport": IVANOV["passport"], "iccid": iccid(), "csrf_token": csrf_token(page)},
        follow_redirects=True,
    )
    assert "уже закрыта" in response.get_data(as_text=True)


def test_cancel_keeps_the_sim_blocked_and_audits_without_the_reason_text(
    client, session, ivanov, msk_ticket, office_msk
):
    login(client, office_msk)
    page = client.get(f"/office/tickets/{msk_ticket.id}").get_data(as_text=True)
    empty = client.post(
        f"/office/tickets/{msk_ticket.id}/cancel", data={"reason": " ", "csrf_token": csrf_token(page)}
    )
    assert empty.status_code == 400
    short = client.post(
        f"/office/tickets/{msk_ticket.id}/cancel", data={"reason": "нашёл", "csrf_token": csrf_token(page)}
    )
    text = short.get_data(as_text=True)
    assert short.status_code == 400 and "не меньше 3 слов" in text and "Отметьте флажок" in text
    response = client.post(
        f"/office/tickets/{msk_ticket.id}/cancel",
        data={"reason": "Абонент нашёл телефон", "confirm": "y", "csrf_token": csrf_token(page)},
    )
    assert response.status_code == 302
    session.expire_all()
    ticket = session.get(Ticket, msk_ticket.id)
    assert ticket.status is TicketStatus.CANCELLED and ticket.cancel_reason == "Абонент нашёл телефон"
    assert [sim.status for sim in _sims(session, ivanov.id)] == [SimStatus.BLOCKED]
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "ticket.cancelled"))
    assert "нашёл" not in str(event.details)


def test_an_office_clerk_without_a_region_is_refused(client, session):
    from recovery.models import StaffRole
    from tests.helpers.people import make_staff

    clerk = make_staff(session, StaffRole.OFFICE, login="office-nowhere")
    login(client, clerk)
    assert client.get("/office/").status_code == 403
