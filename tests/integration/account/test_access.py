"""Who may use which page: account holders only their own account, agents only
/agent/support, anonymous visitors only the way in."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from recovery.models import Account, MessageAuthor, StaffRole, SupportMessage, TopUp, TopUpStatus
from tests.helpers.account import OTHER_NUMBER
from tests.helpers.people import make_staff
from tests.helpers.web import log_in_as

ACCOUNT_PAGES = [
    "/account/",
    "/account/details",
    "/account/details.csv",
    "/account/expenses",
    "/account/tariff",
    "/account/topup",
    "/account/support",
    "/account/support/messages.json",
    "/account/settings",
]
ACCOUNT_POSTS = [
    "/account/tariff",
    "/account/topup",
    "/account/support",
    "/account/settings/language",
    "/account/settings/email",
    "/account/settings/password",
    "/account/settings/sim-lock",
    "/account/settings/block",
]
OPEN_PAGES = ["/account/login", "/account/register", "/account/forgot"]


@pytest.fixture
def staff(session):
    return {role: make_staff(session, role) for role in StaffRole}


@pytest.mark.parametrize("path", ACCOUNT_PAGES)
@pytest.mark.parametrize("who", ["anonymous", "agent", "office", "supervisor", "holder"])
def test_account_pages_are_for_account_holders_only(client, account, staff, path, who):
    if who == "holder":
        log_in_as(client, account)
    elif who != "anonymous":
        log_in_as(client, staff[StaffRole(who)])
    response = client.get(path)
    expected = {"anonymous": 401 if path.endswith(".json") else 302, "holder": 200}.get(who, 403)
    assert response.status_code == expected
    if expected == 302:
        assert response.headers["Location"].startswith("/account/login?next=")


@pytest.mark.parametrize("path", ACCOUNT_POSTS)
@pytest.mark.parametrize("who", ["anonymous", "agent"])
def test_account_changes_are_refused_to_others(app, client, account, staff, path, who):
    app.config["WTF_CSRF_ENABLED"] = False  # the access rule, not the token, is under test
    if who == "agent":
        log_in_as(client, staff[StaffRole.AGENT])
    assert client.post(path, data={}).status_code == (302 if who == "anonymous" else 403)


@pytest.mark.parametrize("path", OPEN_PAGES)
def test_the_way_in_is_open(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 401), ("holder", 403), ("office", 403), ("supervisor", 403), ("agent", 200)],
)
def test_agent_support_is_for_agents_only(client, session, account, staff, subscriber, who, expected):
    session.add(
        SupportMessage(
            subscriber_id=subscriber.id,
            author=MessageAuthor.SUBSCRIBER,
            body="?",
            created_at=account.created_at,
        )
    )
    session.commit()
    if who == "holder":
        log_in_as(client, account)
    elif who != "anonymous":
        log_in_as(client, staff[StaffRole(who)])
    for path in (
        "/agent/support/",
        f"/agent/support/{subscriber.id}",
        f"/agent/support/{subscriber.id}/messages.json",
    ):
        assert client.get(path).status_code == expected, path


def test_one_holder_never_sees_anothers_top_up_or_messages(
    holder, session, subscriber, other_subscriber, now
):
    theirs = TopUp(
        subscriber_id=other_subscriber.id,
        idempotency_key="their-key-0123456789",
        amount_kopecks=99_900,
        status=TopUpStatus.SUCCEEDED,
        created_at=now,
    )
    session.add(theirs)
    session.add(
        SupportMessage(
            subscriber_id=other_subscriber.id,
            author=MessageAuthor.SUBSCRIBER,
            body="их тайна",
            created_at=now,
        )
    )
    session.commit()

    assert holder.get(f"/account/topup/{theirs.id}").status_code == 404
    assert "999,00" not in holder.get("/account/topup").get_data(as_text=True)
    for query in (
        "",
        "?after=0",
        f"?subscriber_id={other_subscriber.id}",
        f"?subscriber={other_subscriber.id}",
    ):
        assert holder.get(f"/account/support/messages.json{query}").get_json() == {"messages": []}
    assert holder.get(f"/agent/support/{other_subscriber.id}").status_code == 403
    # Details and overview ignore any id in the query; they are always the holder's own.
    page = holder.get(f"/account/details?subscriber_id={other_subscriber.id}").get_data(as_text=True)
    assert OTHER_NUMBER not in page
    assert OTHER_NUMBER not in holder.get(f"/account/?id={other_subscriber.id}").get_data(as_text=True)


def test_a_session_id_of_another_kind_is_not_an_account(client, session, account, staff):
    # "staff:<n>" never loads an account, even when an account has the same id.
    agent = staff[StaffRole.AGENT]
    assert agent.id == account.id
    log_in_as(client, agent)
    assert client.get("/account/").status_code == 403
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = f"nobody:{account.id}"
    assert client.get("/account/").status_code == 302


def test_a_deleted_account_logs_the_session_out(client, session, account):
    log_in_as(client, account)
    session.delete(session.get(Account, account.id))
    session.commit()
    assert client.get("/account/").status_code == 302
    assert session.scalars(select(Account)).all() == []
