"""The block and the hand-over reach a real osmo-hlr through the outbox and the worker."""

from __future__ import annotations

from datetime import timedelta

from recovery.claims.actors import Actor
from recovery.claims.submit import ClaimRequest, submit_claim
from recovery.models import Action, AuditEvent, Channel, ProvisioningOperation, ProvisioningState
from recovery.network.worker import MAX_ATTEMPTS, Worker, backoff
from tests.factories import iccid
from tests.integration.claims.conftest import IVANOV, csrf_token, login, open_reissue
from tests.integration.network.conftest import KI, OPC, add_card, in_network, rows, wait_for

ACTOR = Actor("test", Channel.CLI)


def _block_claim(session, config, clock) -> None:
    request = ClaimRequest(
        msisdn=IVANOV["msisdn"],
        full_name=IVANOV["full_name"],
        passport=IVANOV["passport"],
        action=Action.BLOCK,
        current_region="RU-MOW",
    )
    submit_claim(session, request, actor=ACTOR, now=clock(), pii_key=config.PII_KEY)
    session.commit()


def test_a_block_claim_bars_the_sim_in_the_hlr(app, session, config, clock, hlr, ivanov, running_worker):
    imsi = in_network(session, hlr, ivanov)
    digits = IVANOV["msisdn"].lstrip("+")
    assert hlr.get(f"subscriber.by-msisdn-{digits}.cs-enabled") == "1"

    _block_claim(session, config, clock)

    assert wait_for(lambda: hlr.get(f"subscriber.by-msisdn-{digits}.cs-enabled") == "0")
    assert hlr.get(f"subscriber.by-imsi-{imsi}.ps-enabled") == "0"
    assert wait_for(lambda: rows(session)[0].state is ProvisioningState.DONE)
    (row,) = rows(session)
    assert (row.operation, row.msisdn, row.imsi, row.attempts) == (
        ProvisioningOperation.BLOCK,
        IVANOV["msisdn"],
        imsi,
        1,
    )


def _fulfil(client, ticket, new_iccid: str):
    page = client.get(f"/office/tickets/{ticket.id}").get_data(as_text=True)
    return client.post(
        f"/office/tickets/{ticket.id}/fulfil",
        data={"passport": IVANOV["passport"], "iccid": new_iccid, "csrf_token": csrf_token(page)},
    )


def test_a_hand_over_moves_the_number_to_the_new_card_data_on_after_cooling(
    app, client, session, config, clock, hlr, ivanov, office_msk
):
    old_imsi = in_network(session, hlr, ivanov)
    new_card = add_card(session, iccid())
    ticket = open_reissue(session, config.PII_KEY, ivanov, IVANOV["calls"])
    login(client, office_msk)
    clock.at += timedelta(minutes=1)  # open_reissue runs on the real clock
    worker = Worker(app)
    worker.run_once()  # the block of the reissue claim
    digits = IVANOV["msisdn"].lstrip("+")
    assert hlr.info(f"by-msisdn-{digits}")["nam_cs"] == "0"

    assert _fulfil(client, ticket, new_card.iccid).status_code == 302
    worker.run_once()

    on_number = hlr.info(f"by-msisdn-{digits}")
    assert (on_number["imsi"], on_number["nam_cs"], on_number["nam_ps"]) == (new_card.imsi, "1", "0")
    keys = hlr.get(f"subscriber.by-imsi-{new_card.imsi}.info-aud")
    assert f"aud3g.k\t{KI}" in keys and f"aud3g.opc\t{OPC}" in keys
    assert "msisdn" not in hlr.info(f"by-imsi-{old_imsi}")
    data_on = rows(session)[-1]
    assert (data_on.operation, data_on.state) == (ProvisioningOperation.DATA_ON, ProvisioningState.PENDING)

    clock.at += timedelta(hours=23)
    worker.run_once()
    assert hlr.get(f"subscriber.by-imsi-{new_card.imsi}.ps-enabled") == "0"
    clock.at += timedelta(hours=1, minutes=1)
    worker.run_once()
    assert hlr.get(f"subscriber.by-imsi-{new_card.imsi}.ps-enabled") == "1"
    assert all(row.state is ProvisioningState.DONE for row in rows(session))


def test_a_card_not_in_the_inventory_is_refused_at_hand_over(
    app, client, session, config, hlr, ivanov, office_msk
):
    in_network(session, hlr, ivanov)
    ticket = open_reissue(session, config.PII_KEY, ivanov, IVANOV["calls"])
    login(client, office_msk)
    response = _fulfil(client, ticket, iccid())
    assert response.status_code == 409
    assert "Этой SIM-карты нет на складе SIM-карт" in response.get_data(as_text=True)
    assert [row.operation for row in rows(session)] == [ProvisioningOperation.BLOCK]


def test_rows_wait_while_the_hlr_is_down_and_are_done_once_it_is_back(
    app, session, config, clock, hlr, ivanov
):
    in_network(session, hlr, ivanov)
    _block_claim(session, config, clock)
    hlr.stop()
    worker = Worker(app)
    worker.run_once()
    (row,) = rows(session)
    assert (row.state, row.attempts) == (ProvisioningState.PENDING, 1)
    assert "CTRL" in row.error and row.due_at == clock() + backoff(1)

    hlr.start()
    worker.run_once()  # not due yet
    assert rows(session)[0].attempts == 1
    clock.at = row.due_at
    worker.run_once()
    (row,) = rows(session)
    assert (row.state, row.attempts, row.error) == (ProvisioningState.DONE, 2, None)
    assert hlr.get(f"subscriber.by-msisdn-{IVANOV['msisdn'].lstrip('+')}.cs-enabled") == "0"


def test_a_row_fails_after_the_last_attempt(app, session, config, clock, hlr, ivanov):
    in_network(session, hlr, ivanov)
    _block_claim(session, config, clock)
    hlr.stop()
    worker = Worker(app)
    for _ in range(MAX_ATTEMPTS + 2):
        worker.run_once()
        clock.at += backoff(MAX_ATTEMPTS)
    (row,) = rows(session)
    assert (row.state, row.attempts) == (ProvisioningState.FAILED, MAX_ATTEMPTS)
    done = session.query(AuditEvent).filter(AuditEvent.action == "provisioning.failed").count()
    assert done == 1


def test_the_api_refuses_a_card_not_in_the_inventory_and_accepts_one_that_is(
    client, session, config, hlr, ivanov
):
    from recovery.models import ApiRole, SimStatus
    from tests.integration.claims.conftest import bearer, make_token

    in_network(session, hlr, ivanov)
    ticket = open_reissue(session, config.PII_KEY, ivanov, IVANOV["calls"])
    office = bearer(make_token(session, ApiRole.OFFICE, region="RU-MOW"))
    url = f"/api/v1/tickets/{ticket.id}/fulfil"

    refused = client.post(url, json={"iccid": iccid(), "passport": IVANOV["passport"]}, headers=office)
    assert refused.status_code == 409
    assert refused.get_json()["message"] == "This ICCID is not a card of the SIM inventory."
    card = add_card(session, iccid())
    in_use = client.post(
        url, json={"iccid": ivanov.current_sim.iccid, "passport": IVANOV["passport"]}, headers=office
    )
    assert in_use.status_code == 409

    accepted = client.post(url, json={"iccid": card.iccid, "passport": IVANOV["passport"]}, headers=office)
    assert accepted.status_code == 200
    session.expire_all()
    assert ivanov.current_sim.iccid == card.iccid and ivanov.current_sim.status is SimStatus.ACTIVE
    assert [row.operation for row in rows(session)] == [
        ProvisioningOperation.BLOCK,
        ProvisioningOperation.HAND_OVER,
        ProvisioningOperation.DATA_ON,
    ]


def test_a_numbers_changes_reach_the_hlr_in_order(
    app, client, session, config, clock, hlr, ivanov, office_msk
):
    """A block still being retried holds back the hand-over made after it (else it would bar the new card)."""
    in_network(session, hlr, ivanov)
    new_card = add_card(session, iccid())
    ticket = open_reissue(session, config.PII_KEY, ivanov, IVANOV["calls"])
    clock.at += timedelta(minutes=1)
    hlr.stop()
    worker = Worker(app)
    worker.run_once()
    assert rows(session)[0].attempts == 1  # the block, waiting for its retry
    hlr.start()
    login(client, office_msk)
    assert _fulfil(client, ticket, new_card.iccid).status_code == 302

    worker.run_once()
    assert [row.state for row in rows(session)] == [ProvisioningState.PENDING] * 3
    clock.at += backoff(1)
    worker.run_once()

    on_number = hlr.info(f"by-msisdn-{IVANOV['msisdn'].lstrip('+')}")
    assert (on_number["imsi"], on_number["nam_cs"], on_number["nam_ps"]) == (new_card.imsi, "1", "0")
    assert [row.state for row in rows(session)] == [ProvisioningState.DONE] * 2 + [ProvisioningState.PENDING]


def test_a_block_from_the_personal_account_bars_the_sim_too(app, session, clock, hlr, ivanov):
    from recovery.claims import sims
    from recovery.claims.actors import Actor
    from recovery.models import Account

    imsi = in_network(session, hlr, ivanov)
    account = Account(subscriber_id=ivanov.id, password_hash="-")
    session.add(account)
    session.flush()
    sims.block_sim(session, ivanov, actor=Actor.account_holder(account, None), now=clock())
    session.commit()
    Worker(app).run_once()
    assert hlr.info(f"by-imsi-{imsi}")["nam_cs"] == "0"
    assert [(row.operation, row.state) for row in rows(session)] == [
        (ProvisioningOperation.BLOCK, ProvisioningState.DONE)
    ]
