"""Issue 13, item 1: a supervisor cannot take an account over through the outbox.

The attack as found: the supervisor read the login code on /supervisor/outbox,
reset the password with it on /account/forgot, switched the owner's SIM lock
off and moved the e-mail to their own address, with no password asked and
nothing sent to the owner; the owner's sessions from before kept working.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from recovery.claims.actors import Actor
from recovery.claims.submit import ClaimRequest, submit_claim
from recovery.models import Action, AuditEvent, Channel, Notification, Outcome, StaffRole, Subscriber
from tests.helpers.account import Flow, code_in, latest_sms
from tests.helpers.people import PASSWORD, add_regular_calls, make_staff
from tests.helpers.web import csrf_token, log_in_as

NEW_PASSWORD = "attacker-owns-it-42"
CALLS = ("+79031112233", "+79254445566", "+74951234567")


def _settings_post(client, path, prefix, **fields):
    page = client.get("/account/settings").get_data(as_text=True)
    data = {f"{prefix}-csrf_token": csrf_token(page, prefix)}
    data.update({f"{prefix}-{name}": value for name, value in fields.items()})
    return client.post(path, data=data)


def _mails(session, kind: str) -> list[Notification]:
    session.expire_all()
    return [n for n in session.scalars(select(Notification).order_by(Notification.id)) if n.kind == kind]


def _reissue_claim(session, config, now) -> Outcome:
    result = submit_claim(
        session,
        ClaimRequest(
            msisdn="+79161234567",
            full_name="Иванов Иван Иванович",
            passport="4509 123456",
            registered_address="г. Москва, ул. Ленина, д. 5, кв. 12",
            recent_calls=CALLS,
            current_region="RU-MOW",
            action=Action.REISSUE,
        ),
        actor=Actor("test", Channel.CLI),
        now=now,
        pii_key=config.PII_KEY,
    )
    session.rollback()  # only the decision matters here
    return result.decision.outcome


def test_the_supervisor_outbox_takeover_chain_fails(app, session, config, clock, subscriber, account):
    subscriber.reissue_in_person_only = True
    session.commit()
    add_regular_calls(session, subscriber.msisdn, list(CALLS), clock.current)
    session.commit()
    owner_before = app.test_client()
    log_in_as(owner_before, account)
    assert owner_before.get("/account/details").status_code == 200

    # 1. A reset code is sent; the supervisor reads the outbox: the kind, never the digits.
    attacker = app.test_client()
    flow = Flow(attacker, start="/account/forgot")
    flow.submit_number(subscriber.msisdn)
    code = code_in(latest_sms(session, subscriber.msisdn))
    supervisor = app.test_client()
    log_in_as(supervisor, make_staff(session, StaffRole.SUPERVISOR))
    outbox = supervisor.get("/supervisor/outbox")
    page = outbox.get_data(as_text=True)
    assert outbox.status_code == 200
    assert code not in page and not re.search(r"\d{6}", page.split("<main", 1)[-1].replace("2026", ""))
    assert "Код для восстановления пароля (SMS)" in page and "+7••••••••67" in page
    assert subscriber.msisdn not in page

    # 2. Whoever has the code (the owner, with the SIM) can still reset the password …
    assert flow.submit_code(code).headers["Location"] == "/account/password/new"
    assert flow.submit_password(NEW_PASSWORD).headers["Location"] == "/account/"
    # … which ends the sessions opened before, and tells the address on record.
    assert owner_before.get("/account/details").status_code == 302
    [reset_mail] = _mails(session, "password_changed")
    assert reset_mail.recipient == "ivanov@example.ru"

    # 3. In the new session, neither the e-mail nor the SIM lock moves without the password.
    response = _settings_post(
        attacker, "/account/settings/email", "email", email="evil@example.com", password="guess-1234"
    )
    assert response.status_code == 200 and "Это не ваш пароль" in response.get_data(as_text=True)
    response = _settings_post(attacker, "/account/settings/email", "email", email="evil@example.com")
    assert response.status_code == 200 and "Введите пароль, чтобы изменить e-mail" in response.get_data(
        as_text=True
    )
    response = _settings_post(attacker, "/account/settings/sim-lock", "lock", password="guess-1234")
    assert "Введите пароль, чтобы снять запрет" in response.get_data(as_text=True)
    session.expire_all()
    stored = session.get(Subscriber, subscriber.id)
    assert stored.email == "ivanov@example.ru"
    assert (stored.reissue_in_person_only, stored.reissue_lock_release_at) == (True, None)

    # 4. With the password: the lock-off waits 24 h (a remote reissue stays refused), mailed at once.
    _settings_post(attacker, "/account/settings/sim-lock", "lock", password=NEW_PASSWORD)
    [release_mail] = _mails(session, "sim_lock_release_requested")
    assert release_mail.recipient == "ivanov@example.ru"
    assert "0890" in release_mail.body and "Ленина" not in release_mail.body
    banner = attacker.get("/account/").get_data(as_text=True)
    assert "Запрет снимется" in banner and "/account/settings/sim-lock/cancel" in banner
    assert _reissue_claim(session, config, clock.current + timedelta(hours=23, minutes=59)) is Outcome.BLOCK
    assert _reissue_claim(session, config, clock.current + timedelta(hours=24, minutes=1)) is Outcome.REISSUE

    # 5. The e-mail change with the password: both addresses are told, neither named in the text.
    _settings_post(
        attacker, "/account/settings/email", "email", email="evil@example.com", password=NEW_PASSWORD
    )
    changed = _mails(session, "email_changed")
    assert sorted(n.recipient for n in changed) == ["evil@example.com", "ivanov@example.ru"]
    assert all("@" not in n.body and "@" not in n.subject for n in changed)
    session.expire_all()
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {
        "account.password_reset",
        "account.sim_lock_release_requested",
        "account.email_changed",
    } <= actions


def test_a_pending_release_is_cancelled_from_the_account(holder, session, subscriber, clock):
    subscriber.reissue_in_person_only = True
    session.commit()
    _settings_post(holder, "/account/settings/sim-lock", "lock", password=PASSWORD)
    page = holder.get("/account/").get_data(as_text=True)
    token = re.search(r'name="keep-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = holder.post("/account/settings/sim-lock/cancel", data={"keep-csrf_token": token})
    assert response.headers["Location"] == "/account/settings"
    session.expire_all()
    stored = session.get(Subscriber, subscriber.id)
    assert stored.reissue_lock_release_at is None
    assert stored.reissue_lock_effective(clock.current + timedelta(days=30)) is True
    assert "Запрет снимется" not in holder.get("/account/").get_data(as_text=True)
    assert [n.recipient for n in _mails(session, "sim_lock_release_cancelled")] == ["ivanov@example.ru"]
    assert "account.sim_lock_release_cancelled" in set(session.scalars(select(AuditEvent.action)))


def test_turning_the_sim_lock_on_is_immediate_and_needs_no_password(holder, session, subscriber, clock):
    _settings_post(holder, "/account/settings/sim-lock", "lock", enabled="y")
    session.expire_all()
    assert session.get(Subscriber, subscriber.id).reissue_lock_effective(clock.current) is True


def test_wrong_passwords_in_the_settings_are_throttled_and_right_ones_are_not(holder, session, subscriber):
    # Right passwords do not count: the owner changes the e-mail six times in a minute.
    for n in range(6):
        response = _settings_post(
            holder, "/account/settings/email", "email", email=f"i{n}@example.ru", password=PASSWORD
        )
        assert response.status_code == 302
    # Wrong ones do, across the forms that check the password (5 a minute, as logins).
    for _ in range(3):
        assert (
            _settings_post(
                holder, "/account/settings/email", "email", email="x@example.ru", password="no"
            ).status_code
            == 200
        )
    for _ in range(2):
        response = _settings_post(holder, "/account/settings/block", "block", password="no", confirm="y")
        assert response.status_code == 200
    blocked = _settings_post(
        holder, "/account/settings/email", "email", email="x@example.ru", password=PASSWORD
    )
    assert blocked.status_code == 429
    session.expire_all()
    assert session.get(Subscriber, subscriber.id).email == "i5@example.ru"


def test_the_overview_says_the_lock_is_off_once_the_release_is_due(holder, session, subscriber, clock):
    subscriber.reissue_in_person_only = True
    session.commit()
    _settings_post(holder, "/account/settings/sim-lock", "lock", password=PASSWORD)
    assert "Запрет включён" in holder.get("/account/").get_data(as_text=True)
    clock.advance(hours=24)
    page = holder.get("/account/").get_data(as_text=True)
    assert "Запрет включён" not in page and "Запрет снимется" not in page
