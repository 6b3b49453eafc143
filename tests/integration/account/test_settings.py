"""Settings: language, e-mail, password, the SIM lock and "block my SIM now"."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from recovery.models import (
    Account,
    AuditEvent,
    Notification,
    Sim,
    SimStatus,
    Subscriber,
    Ticket,
    TicketStatus,
    TicketType,
)
from recovery.security.passwords import verify_password
from tests.helpers.people import PASSWORD
from tests.helpers.web import csrf_token


def settings_token(holder, prefix):
    return csrf_token(holder.get("/account/settings").get_data(as_text=True), prefix)


def post(holder, path, prefix, **fields):
    data = {f"{prefix}-csrf_token": settings_token(holder, prefix)}
    data.update({f"{prefix}-{name}": value for name, value in fields.items() if value is not None})
    return holder.post(path, data=data)


def audit_actions(session, subject="+79161234567") -> list[str]:
    session.expire_all()
    return list(
        session.scalars(
            select(AuditEvent.action).where(AuditEvent.subject == subject).order_by(AuditEvent.id)
        )
    )


def fresh(session, model, key):
    session.expire_all()
    return session.get(model, key)


def test_the_sim_lock_is_saved_and_audited(holder, session, subscriber):
    response = post(holder, "/account/settings/sim-lock", "lock", enabled="y")
    assert response.headers["Location"] == "/account/settings"
    assert fresh(session, Subscriber, subscriber.id).reissue_in_person_only is True
    assert "Запрет включён" in holder.get("/account/settings").get_data(as_text=True)
    assert audit_actions(session) == ["account.sim_lock_on"]


def test_turning_the_sim_lock_off_needs_the_password(holder, session, subscriber, clock):
    subscriber.reissue_in_person_only = True
    session.commit()
    response = post(holder, "/account/settings/sim-lock", "lock", password="not-the-password")
    assert response.status_code == 200
    assert "Введите пароль, чтобы снять запрет" in response.get_data(as_text=True)
    assert fresh(session, Subscriber, subscriber.id).reissue_in_person_only is True

    post(holder, "/account/settings/sim-lock", "lock", password=PASSWORD)
    # The release is only asked for: the lock holds for SIM_LOCK_RELEASE_HOURS (issue 13).
    stored = fresh(session, Subscriber, subscriber.id)
    assert stored.reissue_lock_release_at == clock.current + timedelta(hours=24)
    assert stored.reissue_lock_effective(clock.current + timedelta(hours=23, minutes=59)) is True
    assert stored.reissue_lock_effective(clock.current + timedelta(hours=24)) is False
    assert audit_actions(session) == ["account.sim_lock_release_requested"]


def test_block_my_sim_now_blocks_opens_a_done_ticket_and_emails(holder, session, subscriber, clock):
    response = post(holder, "/account/settings/block", "block", password=PASSWORD, confirm="y")
    assert response.headers["Location"] == "/account/"
    assert "SIM-карта заблокирована" in holder.get("/account/").get_data(as_text=True)

    sim = fresh(session, Sim, subscriber.sims[0].id)
    assert (sim.status, sim.blocked_at) == (SimStatus.BLOCKED, clock.current)
    ticket = session.scalars(select(Ticket)).one()
    assert (ticket.subscriber_id, ticket.type, ticket.status, ticket.region) == (
        subscriber.id,
        TicketType.BLOCK,
        TicketStatus.DONE,
        "RU-MOW",
    )
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "sim.blocked")).one()
    # The one block use-case (claims.sims): the SIM and the ticket, for a claim and the account alike.
    assert event.details == {"sim_id": sim.id, "ticket_id": str(ticket.id)} and event.channel == "account"
    account = session.scalars(select(Account).where(Account.subscriber_id == subscriber.id)).one()
    assert event.actor == f"account:{account.id}"
    mail = session.scalars(select(Notification)).one()
    assert (mail.channel, mail.recipient) == ("email", "ivanov@example.ru")
    assert "заблокирована" in mail.subject and ticket.reference in mail.body
    assert str(ticket.id) not in mail.body

    # Once blocked, the form is gone and a second try changes nothing.
    assert 'action="/account/settings/block"' not in holder.get("/account/settings").get_data(as_text=True)


def test_block_needs_the_password_and_the_tick(holder, session, subscriber):
    response = post(holder, "/account/settings/block", "block", password="not-the-password", confirm="y")
    assert "Это не ваш пароль" in response.get_data(as_text=True)
    # At the button, in a summary that takes the focus (issue 17): the SIM is not blocked.
    section = response.get_data(as_text=True).split('id="block-title"', 1)[1]
    summary, told = section.index("data-focus-on-load"), section.index("ЕЩЁ НЕ заблокирована")
    assert summary < told < section.index("btn-danger")
    response = post(holder, "/account/settings/block", "block", password=PASSWORD)
    assert "Отметьте флажок" in response.get_data(as_text=True)
    assert "ЕЩЁ НЕ заблокирована" in response.get_data(as_text=True)
    assert fresh(session, Sim, subscriber.sims[0].id).status == SimStatus.ACTIVE
    assert session.scalars(select(Ticket)).all() == []


def test_blocking_a_blocked_sim_is_refused_politely(holder, session, subscriber):
    subscriber.sims[0].status = SimStatus.BLOCKED
    session.commit()
    page = holder.get("/account/settings").get_data(as_text=True)
    token = csrf_token(page, "lock")  # one CSRF token per session; the block form is not shown
    response = holder.post(
        "/account/settings/block",
        data={"block-csrf_token": token, "block-password": PASSWORD, "block-confirm": "y"},
    )
    assert response.headers["Location"] == "/account/settings"
    assert "уже заблокирована" in holder.get("/account/settings").get_data(as_text=True)
    # One behaviour with a claim (claims.sims): the SIM stays as it was, the request is recorded.
    sim = fresh(session, Sim, subscriber.sims[0].id)
    assert (sim.status, sim.blocked_at) == (SimStatus.BLOCKED, None)
    ticket = session.scalars(select(Ticket)).one()
    assert (ticket.type, ticket.status) == (TicketType.BLOCK, TicketStatus.DONE)
    assert session.scalars(select(AuditEvent).where(AuditEvent.action == "sim.blocked")).all() == []


def test_no_email_is_queued_without_an_address(holder, session, subscriber):
    subscriber.email = None
    session.commit()
    post(holder, "/account/settings/block", "block", password=PASSWORD, confirm="y")
    assert fresh(session, Sim, subscriber.sims[0].id).status == SimStatus.BLOCKED
    assert session.scalars(select(Notification)).all() == []


def test_the_email_is_validated_saved_and_audited_without_the_address(holder, session, subscriber):
    response = post(holder, "/account/settings/email", "email", email="not an address", password=PASSWORD)
    assert response.status_code == 200 and "name@example.ru" in response.get_data(as_text=True)
    post(holder, "/account/settings/email", "email", email="ivan.new@example.com", password=PASSWORD)
    assert fresh(session, Subscriber, subscriber.id).email == "ivan.new@example.com"
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "account.email_changed")).one()
    assert "example.com" not in str(event.details)
    post(holder, "/account/settings/email", "email", email="", password=PASSWORD)
    assert fresh(session, Subscriber, subscriber.id).email is None


def test_the_password_is_changed_with_the_current_one(holder, session, account):
    response = post(
        holder, "/account/settings/password", "password", current="wrong", password="x" * 3, confirm="x" * 3
    )
    page = response.get_data(as_text=True)
    assert "не короче 10 символов" in page
    response = post(
        holder,
        "/account/settings/password",
        "password",
        current="not-the-password",
        password="brand-new-pass-7",
        confirm="brand-new-pass-7",
    )
    assert "Это не ваш текущий пароль" in response.get_data(as_text=True)
    post(
        holder,
        "/account/settings/password",
        "password",
        current=PASSWORD,
        password="brand-new-pass-7",
        confirm="brand-new-pass-7",
    )
    assert verify_password(fresh(session, Account, account.id).password_hash, "brand-new-pass-7")
    assert audit_actions(session) == ["account.password_changed"]


def test_the_language_is_remembered(holder, session, account):
    post(holder, "/account/settings/language", "language", language="en")
    assert fresh(session, Account, account.id).language == "en"
    assert "Call details" in holder.get("/account/", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    response = post(holder, "/account/settings/language", "language", language="de")
    assert response.status_code == 200
    assert fresh(session, Account, account.id).language == "en"
