"""The support chat: the subscriber writes at /account/support, agents answer at /agent/support."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from recovery.models import AuditEvent, MessageAuthor, StaffRole, SupportMessage
from tests.helpers.people import make_staff
from tests.helpers.web import csrf_token, log_in_as


def send(client, path, text):
    page = client.get(path).get_data(as_text=True)
    return client.post(path, data={"csrf_token": csrf_token(page), "body": text})


@pytest.fixture
def agent_client(app, session):
    agent = make_staff(session, StaffRole.AGENT)
    client = app.test_client()
    log_in_as(client, agent)
    return client


def test_subscriber_and_agent_talk_and_new_messages_arrive_by_polling(
    holder, agent_client, session, subscriber
):
    response = send(holder, "/account/support", "  Не проходит пополнение  ")
    assert response.headers["Location"] == "/account/support#chat-form"
    mine = holder.get("/account/support/messages.json").get_json()["messages"]
    assert [(m["author"], m["body"]) for m in mine] == [("subscriber", "Не проходит пополнение")]
    last_id = mine[-1]["id"]
    assert holder.get(f"/account/support/messages.json?after={last_id}").get_json() == {"messages": []}

    listing = agent_client.get("/agent/support/").get_data(as_text=True)
    assert "+7 916 123-45-67" in listing and "ждёт ответа" in listing
    # The staff layout, with the chat in the agent's menu (issue 17).
    assert 'href="/agent/support/" aria-current="page"' in listing and 'href="/agent/"' in listing
    path = f"/agent/support/{subscriber.id}"
    conversation = agent_client.get(path).get_data(as_text=True)
    assert "Не проходит пополнение" in conversation
    # The agent sees the number and the chat, never the identity on record.
    for secret in ("Иванов", "Ленина", "ivanov@example.ru"):
        assert secret not in conversation and secret not in listing
    send(agent_client, path, "Проверим, одну минуту.")

    new = holder.get(f"/account/support/messages.json?after={last_id}").get_json()["messages"]
    assert [(m["author"], m["body"]) for m in new] == [("agent", "Проверим, одну минуту.")]
    assert "отвечено" in agent_client.get("/agent/support/").get_data(as_text=True)
    assert (
        agent_client.get(f"{path}/messages.json?after={last_id}").get_json()["messages"][0]["author"]
        == "agent"
    )

    rows = session.scalars(select(SupportMessage).order_by(SupportMessage.id)).all()
    assert [r.author for r in rows] == [MessageAuthor.SUBSCRIBER, MessageAuthor.AGENT]
    assert rows[1].staff_user_id is not None
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "support.message")).all()
    assert [(e.actor.split(":")[0], e.channel) for e in events] == [
        ("account", "account"),
        ("staff", "agent"),
    ]
    assert all("Проверим" not in str(e.details) for e in events)


def test_the_chat_page_polls_from_a_script_file(holder):
    page = holder.get("/account/support").get_data(as_text=True)
    assert 'data-poll-url="/account/support/messages.json"' in page
    assert '<script src="/static/js/account.js"></script>' in page
    assert "<script>" not in page and "onclick" not in page


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
def test_an_empty_or_overlong_message_is_refused(holder, session, text):
    response = send(holder, "/account/support", text)
    assert response.status_code == 200
    assert session.scalars(select(SupportMessage)).all() == []


def test_html_in_a_message_is_shown_as_text(holder, agent_client, subscriber):
    send(holder, "/account/support", "<img src=x onerror=alert(1)>")
    page = agent_client.get(f"/agent/support/{subscriber.id}").get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "<img src=x" not in page


def test_agents_open_only_existing_conversations(agent_client, subscriber):
    assert agent_client.get(f"/agent/support/{subscriber.id}").status_code == 404
    assert agent_client.get("/agent/support/999999").status_code == 404
