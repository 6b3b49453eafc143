"""Result pages say "blocked" only once the network confirmed the block, "blocking…" until then."""

from __future__ import annotations

import re

from sqlalchemy import select

from recovery.models import Claim
from recovery.network.worker import Worker
from tests.helpers.claims import UNKNOWN_NUMBER, WizardAnswers, submit_wizard
from tests.helpers.web import login, post_form
from tests.integration.claims.test_agent_console import console_claim


def _main(page: str) -> str:
    return re.search(r"<main.*</main>", page, re.S).group(0)


def test_the_claimants_page_says_blocking_until_the_worker_delivered(app, client, session, ivanov):
    page = submit_wizard(client, WizardAnswers(action="block", address="", calls=())).get_data(as_text=True)
    assert "Ваша SIM-карта блокируется…" in page and "Ваша SIM-карта заблокирована" not in page
    assert "SIM-карта блокируется: сеть ещё не подтвердила блокировку." in page

    Worker(app).run_once()
    page = client.get("/lost/result").get_data(as_text=True)
    assert "Ваша SIM-карта заблокирована" in page and "блокируется" not in page
    assert "SIM-карта заблокирована." in page


def test_a_reissue_page_says_the_sim_is_being_blocked_in_english(app, client, session, ivanov):
    headers = {"Accept-Language": "en"}
    page = submit_wizard(client, WizardAnswers(), headers=headers).get_data(as_text=True)
    assert "The SIM card is being blocked. A new SIM card" in page
    Worker(app).run_once()
    page = client.get("/lost/result", headers=headers).get_data(as_text=True)
    assert "The SIM card has been blocked. A new SIM card" in page and "being blocked" not in page


def test_a_rejected_page_is_the_same_for_an_unknown_number(app, session, ivanov):
    def rejected(msisdn: str) -> str:
        client = app.test_client()
        page = submit_wizard(client, WizardAnswers(msisdn=msisdn, passport="4509 999999"))
        return _main(page.get_data(as_text=True))

    known, unknown = rejected(ivanov.msisdn), rejected(UNKNOWN_NUMBER)
    assert known == unknown and "блокируется" not in known


def test_the_agents_page_says_blocking_until_the_worker_delivered(app, client, session, ivanov, agent):
    login(client, agent)
    response = post_form(client, "/agent/", "/agent/claims", console_claim(action="block"))
    claim = session.scalar(select(Claim))
    page = _main(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "блокируется…" in page and "SIM-карта блокируется: сеть ещё не подтвердила" in page

    Worker(app).run_once()
    page = _main(client.get(f"/agent/claims/{claim.id}").get_data(as_text=True))
    assert "блокируется" not in page and "заблокирована" in page


def test_a_rejected_agent_claim_tells_nothing_of_the_network(client, session, ivanov, agent):
    login(client, agent)
    response = post_form(client, "/agent/", "/agent/claims", console_claim(passport="4509 999999"))
    page = _main(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "network-state" not in page and "блокируется" not in page
