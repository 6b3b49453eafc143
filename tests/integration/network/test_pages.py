"""The supervisor's provisioning page: a block pending, then confirmed by the HLR; supervisors only."""

from __future__ import annotations

from recovery.network.worker import Worker
from tests.integration.claims.conftest import login
from tests.integration.network.conftest import in_network
from tests.integration.network.test_hlr import _block_claim

URL = "/supervisor/network/"


def _section(page: str, heading: str) -> str:
    return page.split(heading, 1)[1].split("<h2", 1)[0]


def test_a_block_goes_from_pending_to_done_on_the_page(
    app, client, session, config, clock, hlr, ivanov, supervisor
):
    in_network(session, hlr, ivanov)
    _block_claim(session, config, clock)
    login(client, supervisor)

    page = client.get(URL).get_data(as_text=True)
    waiting = _section(page, "Ожидают или с ошибкой")
    assert "+7 916 123-45-67" in waiting and "Блокировка SIM-карты" in waiting and "ожидает" in waiting
    assert "Пока ничего." in _section(page, "Подтверждено сетью")

    Worker(app).run_once()
    page = client.get(URL).get_data(as_text=True)
    assert "Сеть ничего не ожидает." in _section(page, "Ожидают или с ошибкой")
    confirmed = _section(page, "Подтверждено сетью")
    assert "+7 916 123-45-67" in confirmed and "выполнено" in confirmed


def test_only_supervisors_see_it(app, client, agent, office_msk, hlr):
    assert client.get(URL).status_code in (302, 401)
    for user in (agent, office_msk):
        staff = app.test_client()
        login(staff, user)
        assert staff.get(URL).status_code == 403
