"""The support chat between a subscriber and the call-centre's agents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import desc, func, select
from sqlalchemy.orm import Session

from recovery import audit
from recovery.models import MessageAuthor, Subscriber, SupportMessage

MAX_MESSAGE_LENGTH = 2000
#: Messages sent to the page at once (older ones stay in the database).
CONVERSATION_LENGTH = 200
CONVERSATION_LIST_LENGTH = 100


class EmptyMessage(ValueError):
    """Nothing but white space was sent."""


class MessageTooLong(ValueError):
    """Longer than ``MAX_MESSAGE_LENGTH`` characters."""


def post_message(
    session: Session,
    subscriber: Subscriber,
    author: MessageAuthor,
    body: str,
    *,
    now: datetime,
    actor: str,
    channel: str,
    staff_user_id: int | None = None,
    ip: str | None = None,
) -> SupportMessage:
    """Add a message to the subscriber's conversation (audited without its text)."""
    text = (body or "").strip()
    if not text:
        raise EmptyMessage()
    if len(text) > MAX_MESSAGE_LENGTH:
        raise MessageTooLong()
    message = SupportMessage(
        subscriber_id=subscriber.id, author=author, staff_user_id=staff_user_id, body=text, created_at=now
    )
    session.add(message)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="support.message",
        channel=channel,
        subject=subscriber.msisdn,
        ip=ip,
        message_id=message.id,
        author=author.value,
    )
    return message


def messages_after(
    session: Session, subscriber_id: int, after_id: int = 0, limit: int = CONVERSATION_LENGTH
) -> list[SupportMessage]:
    """The conversation's messages newer than ``after_id``, oldest first (the latest ``limit``)."""
    newest = session.scalars(
        select(SupportMessage)
        .where(SupportMessage.subscriber_id == subscriber_id, SupportMessage.id > after_id)
        .order_by(desc(SupportMessage.id))
        .limit(limit)
    ).all()
    return newest[::-1]


@dataclass(frozen=True)
class Conversation:
    """A line of the agents' list: whose chat, when it last moved, and who waits."""

    subscriber_id: int
    msisdn: str
    last_message_at: datetime
    messages: int
    awaiting_agent: bool


def conversations(session: Session, limit: int = CONVERSATION_LIST_LENGTH) -> list[Conversation]:
    """Conversations, those waiting for an agent first, then the most recent."""
    latest = (
        select(
            SupportMessage.subscriber_id,
            func.max(SupportMessage.id).label("last_id"),
            func.count().label("messages"),
        )
        .group_by(SupportMessage.subscriber_id)
        .subquery()
    )
    rows = session.execute(
        select(latest.c.subscriber_id, Subscriber.msisdn, SupportMessage, latest.c.messages)
        .join(SupportMessage, SupportMessage.id == latest.c.last_id)
        .join(Subscriber, Subscriber.id == latest.c.subscriber_id)
        .order_by(desc(SupportMessage.id))
        .limit(limit)
    ).all()
    result = [
        Conversation(
            subscriber_id=subscriber_id,
            msisdn=msisdn,
            last_message_at=last.created_at,
            messages=count,
            awaiting_agent=last.author == MessageAuthor.SUBSCRIBER,
        )
        for subscriber_id, msisdn, last, count in rows
    ]
    return sorted(result, key=lambda c: not c.awaiting_agent)
