"""An office unblocks a found SIM on the passport shown: the same answer for a wrong passport and a
number that is not ours, both counted; never while a new SIM is on its way."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from recovery.claims.actors import Actor
from recovery.claims.tickets import MAX_FULFIL_FAILURES
from recovery.extensions import db
from recovery.models import AuditEvent, Channel, Provisioning, ProvisioningOperation, SimStatus
from recovery.office.unblock import PassportMismatch, UnblockPaused, unblock_at_office
from tests.helpers.claims import UNKNOWN_NUMBER, open_reissue
from tests.helpers.databases import ON_POSTGRES
from tests.helpers.people import IVANOV
from tests.helpers.web import csrf_token, login, without_csrf_tokens

WRONG_PASSPORT = "4509 999999"
PARALLEL = 12


def clock_now() -> datetime:
    return datetime.now(UTC)


def _unblock(client, msisdn: str = IVANOV["msisdn"], passport: str = IVANOV["passport"]):
    page = client.get("/office/unblock").get_data(as_text=True)
    return client.post(
        "/office/unblock", data={"msisdn": msisdn, "passport": passport, "csrf_token": csrf_token(page)}
    )


def _block(session, subscriber) -> None:
    subscriber.current_sim.status = SimStatus.BLOCKED
    session.commit()


def _unblock_rows(session) -> list[Provisioning]:
    session.expire_all()
    return list(
        session.scalars(select(Provisioning).where(Provisioning.operation == ProvisioningOperation.UNBLOCK))
    )


def _events(session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _main(response) -> str:
    """The page's main part, its CSRF token blanked (the token is signed with the second it was made)."""
    return without_csrf_tokens(re.search(r"<main.*</main>", response.get_data(as_text=True), re.S).group(0))


def test_the_passport_shown_unblocks_the_sim_and_queues_the_network(client, session, ivanov, office_msk):
    _block(session, ivanov)
    login(client, office_msk)
    assert 'href="/office/unblock"' in client.get("/office/").get_data(as_text=True)
    response = _unblock(client, msisdn="8 916 123-45-67")
    assert response.status_code == 302 and response.headers["Location"] == "/office/unblock"
    assert "SIM-карта разблокирована" in client.get("/office/unblock").get_data(as_text=True)
    session.expire_all()
    assert ivanov.current_sim.status is SimStatus.ACTIVE
    [row] = _unblock_rows(session)
    assert (row.msisdn, row.iccid) == (ivanov.msisdn, ivanov.current_sim.iccid)
    [event] = _events(session, "sim.unblocked")
    assert (event.actor, event.channel, event.subject) == ("staff:office-msk", "office", ivanov.msisdn)


def test_a_wrong_passport_and_an_unknown_number_get_one_answer_and_are_counted(
    client, session, ivanov, office_msk
):
    _block(session, ivanov)
    login(client, office_msk)
    wrong = _unblock(client, passport=WRONG_PASSPORT)
    unknown = _unblock(client, msisdn=UNKNOWN_NUMBER, passport=WRONG_PASSPORT)
    assert wrong.status_code == unknown.status_code == 400
    assert "Этот паспорт не совпадает с данными номера" in _main(wrong)
    # The number typed is sent back in its field; nothing else may differ.
    assert _main(wrong).replace(ivanov.msisdn, "N") == _main(unknown).replace(UNKNOWN_NUMBER, "N")
    assert WRONG_PASSPORT not in _main(wrong) and "4509999999" not in _main(wrong)
    assert [e.subject for e in _events(session, "sim.unblock_refused")] == [ivanov.msisdn, UNKNOWN_NUMBER]
    session.expire_all()
    assert ivanov.current_sim.status is SimStatus.BLOCKED and _unblock_rows(session) == []


def test_too_many_wrong_passports_pause_unblocking_the_number(client, session, ivanov, office_msk):
    _block(session, ivanov)
    login(client, office_msk)
    for _ in range(MAX_FULFIL_FAILURES):
        assert _unblock(client, passport=WRONG_PASSPORT).status_code == 400
    response = _unblock(client)
    assert response.status_code == 423 and 'id="unblock-paused"' in response.get_data(as_text=True)
    session.expire_all()
    assert ivanov.current_sim.status is SimStatus.BLOCKED and _unblock_rows(session) == []


def test_no_unblock_while_a_new_sim_is_on_its_way(client, session, config, ivanov, office_msk):
    open_reissue(session, config.PII_KEY, ivanov, IVANOV["calls"])
    login(client, office_msk)
    response = _unblock(client)
    assert response.status_code == 409 and "старая остаётся заблокированной" in _main(response)
    session.expire_all()
    assert ivanov.current_sim.status is SimStatus.BLOCKED and _unblock_rows(session) == []
    assert _events(session, "sim.unblocked") == []


def test_an_active_sim_has_nothing_to_unblock(client, session, ivanov, office_msk):
    login(client, office_msk)
    response = _unblock(client)
    assert response.status_code == 409 and "не заблокирована" in _main(response)
    assert _unblock_rows(session) == []


def test_a_malformed_number_or_passport_is_told_next_to_the_field(client, session, ivanov, office_msk):
    login(client, office_msk)
    response = _unblock(client, msisdn="12", passport="12")
    page = _main(response)
    assert response.status_code == 400
    assert "Введите номер телефона, например" in page and "Серия паспорта — 4 цифры, номер — 6 цифр." in page
    for name in ("msisdn", "passport"):
        assert re.search(
            rf'<input[^>]*name="{name}"[^>]*aria-invalid="true"|<input[^>]*aria-invalid="true"[^>]*name="{name}"',
            page,
        )
    assert _events(session, "sim.unblock_refused") == []


def test_only_office_staff_reach_the_page(client, session, agent):
    login(client, agent)
    assert client.get("/office/unblock").status_code == 403


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks need PostgreSQL (TEST_DATABASE_URL)")
def test_parallel_wrong_passports_get_no_more_checks_than_serial_ones(app, session, ivanov):
    _block(session, ivanov)
    barrier = threading.Barrier(PARALLEL, timeout=60)

    def try_once(_n: int) -> str:
        with app.app_context():
            actor = Actor("staff:office-msk", Channel.OFFICE)
            barrier.wait()
            try:
                unblock_at_office(
                    db.session,
                    ivanov.msisdn,
                    WRONG_PASSPORT,
                    pii_key=app.config["PII_KEY"],
                    actor=actor,
                    now=clock_now(),
                )
            except PassportMismatch:
                outcome = "refused"
            except UnblockPaused:
                outcome = "paused"
            db.session.commit()
            return outcome

    with ThreadPoolExecutor(PARALLEL) as pool:
        outcomes = sorted(pool.map(try_once, range(PARALLEL)))
    assert outcomes == ["paused"] * (PARALLEL - MAX_FULFIL_FAILURES) + ["refused"] * MAX_FULFIL_FAILURES
    assert len(_events(session, "sim.unblock_refused")) == MAX_FULFIL_FAILURES
