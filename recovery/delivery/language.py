"""Which language a message goes in: the account holder's when on record, else Russian and English.

Messages are written in both languages, Russian first (``recovery.claims.notifications``:
subject ``"ru / en"``, body ``"ru\\n\\nen"``). The language is the one the owner
chose in the personal account; never the language of the request that caused
the message — a claim may be made by someone else, and the owner must be able
to read the warning.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from recovery.models import Account, Subscriber

LANGUAGES = ("ru", "en")
SUBJECT_SEPARATOR = " / "
BODY_SEPARATOR = "\n\n"


def account_language(session: Session, subscriber: Subscriber) -> str | None:
    """The language of the subscriber's personal account, when one is chosen."""
    if subscriber.id is None:
        return None
    with session.no_autoflush:  # called in the middle of a use-case: flush when it chooses to
        language = session.scalar(select(Account.language).where(Account.subscriber_id == subscriber.id))
    return language if language in LANGUAGES else None


def in_language(subject: str, body: str, language: str | None) -> tuple[str, str, str]:
    """``(subject, body, Content-Language)``: one half when the language is known, else both."""
    if language in LANGUAGES:
        subjects = subject.rsplit(SUBJECT_SEPARATOR, 1)
        bodies = body.split(BODY_SEPARATOR)
        if len(subjects) == 2 and len(bodies) == 2:
            index = LANGUAGES.index(language)
            return subjects[index].strip(), bodies[index].strip(), language
    return subject, body, ", ".join(LANGUAGES)
