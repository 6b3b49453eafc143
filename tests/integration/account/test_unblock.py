"""Settings: "unblock my SIM" once the phone is found (password, then an ``unblock`` provisioning row)."""

from __future__ import annotations

from limits import parse_many
from sqlalchemy import select

from recovery.account.settings_routes import PASSWORD_CHECK_LIMIT
from recovery.models import (
    Account,
    AuditEvent,
    Provisioning,
    ProvisioningOperation,
    ProvisioningState,
    Sim,
    SimStatus,
    Ticket,
    TicketStatus,
    TicketType,
)
from recovery.network.worker import Worker
from tests.helpers.people import PASSWORD
from tests.helpers.web import csrf_token
from tests.integration.account.test_settings import fresh, post


def _blocked(holder, session, subscriber) -> None:
    response = post(holder, "/account/settings/block", "block", password=PASSWORD, confirm="y")
    assert response.status_code == 302


def _unblock_rows(session) -> list[Provisioning]:
    session.expire_all()
    return list(
        session.scalars(select(Provisioning).where(Provisioning.operation == ProvisioningOperation.UNBLOCK))
    )


def _section(page: str) -> str:
    return page.split('id="unblock-title"', 1)[1]


def test_unblock_with_the_password_lets_the_sim_on_again_and_is_audited(app, holder, session, subscriber):
    _blocked(holder, session, subscriber)
    page = holder.get("/account/settings").get_data(as_text=True)
    assert 'action="/account/settings/unblock"' in page and "Нашли телефон?" in page

    response = post(holder, "/account/settings/unblock", "unblock", password=PASSWORD, confirm="y")
    assert response.headers["Location"] == "/account/settings"
    assert "Ваша SIM-карта разблокирована" in holder.get("/account/settings").get_data(as_text=True)
    assert fresh(session, Sim, subscriber.sims[0].id).status is SimStatus.ACTIVE
    [row] = _unblock_rows(session)
    assert (row.msisdn, row.iccid, row.state) == (
        subscriber.msisdn,
        subscriber.sims[0].iccid,
        ProvisioningState.PENDING,
    )
    account = session.scalars(select(Account).where(Account.subscriber_id == subscriber.id)).one()
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "sim.unblocked")).one()
    assert (event.actor, event.channel, event.subject) == (
        f"account:{account.id}",
        "account",
        subscriber.msisdn,
    )
    Worker(app).run_once()
    assert _unblock_rows(session)[0].state is ProvisioningState.DONE
    # Active again: the block form is back, the unblock form is gone.
    page = holder.get("/account/settings").get_data(as_text=True)
    assert 'action="/account/settings/block"' in page and 'id="unblock-title"' not in page


def test_a_wrong_password_or_no_tick_is_refused_next_to_the_field(holder, session, subscriber):
    _blocked(holder, session, subscriber)
    response = post(holder, "/account/settings/unblock", "unblock", password="not-the-password", confirm="y")
    section = _section(response.get_data(as_text=True))
    assert "Это не ваш пароль" in section and "всё ещё заблокирована" in section
    response = post(holder, "/account/settings/unblock", "unblock", password=PASSWORD)
    assert "Отметьте флажок" in _section(response.get_data(as_text=True))
    assert fresh(session, Sim, subscriber.sims[0].id).status is SimStatus.BLOCKED
    assert _unblock_rows(session) == []
    assert session.scalars(select(AuditEvent).where(AuditEvent.action == "sim.unblocked")).all() == []


def test_wrong_passwords_count_against_the_settings_password_limit(holder, session, subscriber):
    _blocked(holder, session, subscriber)
    allowed = parse_many(PASSWORD_CHECK_LIMIT)[0].amount
    for _ in range(allowed):
        response = post(holder, "/account/settings/unblock", "unblock", password="wrong-one", confirm="y")
        assert response.status_code == 200
    response = post(holder, "/account/settings/unblock", "unblock", password=PASSWORD, confirm="y")
    assert response.status_code == 429
    assert fresh(session, Sim, subscriber.sims[0].id).status is SimStatus.BLOCKED


def test_no_unblock_while_a_new_sim_is_on_its_way(holder, session, subscriber):
    _blocked(holder, session, subscriber)
    session.add(
        Ticket(
            subscriber_id=subscriber.id, type=TicketType.REISSUE, status=TicketStatus.OPEN, region="RU-MOW"
        )
    )
    session.commit()
    page = holder.get("/account/settings").get_data(as_text=True)
    assert 'action="/account/settings/unblock"' not in page and "готовится новая SIM-карта" in page

    # A form sent anyway (opened before the reissue) is refused in its own summary.
    response = holder.post(
        "/account/settings/unblock",
        data={
            "unblock-csrf_token": csrf_token(page, "lock"),
            "unblock-password": PASSWORD,
            "unblock-confirm": "y",
        },
    )
    section = response.get_data(as_text=True).split('id="block-title"', 1)[1]
    assert response.status_code == 200 and "старая остаётся заблокированной" in section
    assert "старая остаётся заблокированной" in response.get_data(as_text=True)
    assert fresh(session, Sim, subscriber.sims[0].id).status is SimStatus.BLOCKED
    assert _unblock_rows(session) == []
