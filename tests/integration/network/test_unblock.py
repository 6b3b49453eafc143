"""Unblocking a found SIM lets it on the network again (use-case and office page); what a result page
can tell of the network."""

from __future__ import annotations

import pytest

from recovery.claims.actors import Actor
from recovery.models import Channel, ProvisioningOperation, ProvisioningState, SimStatus, StaffRole
from recovery.network.unblock import NotBlocked, ReissueOpen, network_state, unblock_sim
from recovery.network.worker import Worker
from tests.helpers.people import make_staff
from tests.helpers.web import csrf_token, login, post_form
from tests.integration.claims.conftest import IVANOV, open_reissue
from tests.integration.claims.test_agent_console import console_claim
from tests.integration.network.conftest import in_network, rows
from tests.integration.network.test_hlr import _block_claim

DIGITS = IVANOV["msisdn"].lstrip("+")
ACCOUNT_HOLDER = Actor("account:1", Channel.ACCOUNT)


def test_an_unblocked_sim_is_let_on_the_network_again(app, session, config, clock, hlr, ivanov):
    in_network(session, hlr, ivanov)
    assert network_state(session, ivanov.msisdn) is None
    _block_claim(session, config, clock)
    assert network_state(session, ivanov.msisdn) is ProvisioningState.PENDING
    Worker(app).run_once()
    assert network_state(session, ivanov.msisdn) is ProvisioningState.DONE
    assert hlr.get(f"subscriber.by-msisdn-{DIGITS}.cs-enabled") == "0"

    session.expire_all()
    unblock_sim(session, ivanov, now=clock(), actor=ACCOUNT_HOLDER)
    session.commit()
    assert ivanov.current_sim.status is SimStatus.ACTIVE
    Worker(app).run_once()
    info = hlr.info(f"by-msisdn-{DIGITS}")
    assert (info["nam_cs"], info["nam_ps"]) == ("1", "1")
    assert rows(session)[-1].operation is ProvisioningOperation.UNBLOCK
    with pytest.raises(NotBlocked):
        unblock_sim(session, ivanov, now=clock(), actor=ACCOUNT_HOLDER)


def test_no_unblock_while_a_new_sim_is_on_its_way(session, config, clock, hlr, ivanov):
    open_reissue(session, config.PII_KEY, ivanov, IVANOV["calls"])
    session.expire_all()
    with pytest.raises(ReissueOpen):
        unblock_sim(session, ivanov, now=clock(), actor=ACCOUNT_HOLDER)
    session.rollback()
    assert ivanov.current_sim.status is SimStatus.BLOCKED


def test_an_office_unblock_on_the_passport_reaches_the_hlr(app, client, session, config, clock, hlr, ivanov):

    in_network(session, hlr, ivanov)
    _block_claim(session, config, clock)
    Worker(app).run_once()
    assert hlr.get(f"subscriber.by-msisdn-{DIGITS}.cs-enabled") == "0"

    login(client, make_staff(session, StaffRole.OFFICE, login="office-msk", region="RU-MOW"))
    page = client.get("/office/unblock").get_data(as_text=True)
    response = client.post(
        "/office/unblock",
        data={"msisdn": IVANOV["msisdn"], "passport": IVANOV["passport"], "csrf_token": csrf_token(page)},
    )
    assert response.status_code == 302
    assert rows(session)[-1].operation is ProvisioningOperation.UNBLOCK
    Worker(app).run_once()
    info = hlr.info(f"by-msisdn-{DIGITS}")
    assert (info["nam_cs"], info["nam_ps"]) == ("1", "1")
    assert rows(session)[-1].state is ProvisioningState.DONE


def test_the_agents_page_says_blocked_once_the_hlr_barred_the_sim(
    app, client, session, config, clock, hlr, ivanov
):

    in_network(session, hlr, ivanov)
    login(client, make_staff(session, StaffRole.AGENT, login="agent-1"))
    response = post_form(client, "/agent/", "/agent/claims", console_claim(action="block"))
    claim_page = response.headers["Location"]
    assert "блокируется…" in client.get(claim_page).get_data(as_text=True)
    Worker(app).run_once()
    assert hlr.get(f"subscriber.by-msisdn-{DIGITS}.cs-enabled") == "0"
    page = client.get(claim_page).get_data(as_text=True)
    assert "блокируется" not in page and 'data-testid="network-state"' in page
