"""The claim workflow as its users drive it: the wizard's answers, claims through the use-case,
and what the database holds afterwards (counts, audit actions, the outbox)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from recovery.models import AuditEvent, Notification, Subscriber
from tests.helpers.people import IVANOV, add_call
from tests.helpers.web import post_form

UNKNOWN_NUMBER = "+79990000000"


def add_post_loss_activity(session: Session, msisdn: str, lost_at: datetime, count: int) -> None:
    """Calls the SIM made after ``lost_at`` (a finder's)."""
    for n in range(count):
        add_call(session, msisdn, f"+7999000{n:04d}", lost_at + timedelta(minutes=10 * (n + 1)))


@dataclass
class WizardAnswers:
    """Everything the wizard asks, as a claimant would type it."""

    msisdn: str = IVANOV["msisdn"]
    full_name: str = IVANOV["full_name"]
    passport: str = IVANOV["passport"]
    address: str = IVANOV["address"]
    calls: tuple[str, ...] = IVANOV["calls"]
    region: str = IVANOV["region"]
    lost_at: str = ""
    action: str = "reissue"
    extra: dict = field(default_factory=dict)

    def steps(self) -> list[tuple[str, dict[str, str]]]:
        """(step name, form data) in the wizard's order."""
        calls = {f"call_{n + 1}": number for n, number in enumerate(self.calls)}
        return [
            ("number", {"msisdn": self.msisdn, "full_name": self.full_name}),
            ("passport", {"passport": self.passport}),
            ("address", {"registered_address": self.address}),
            ("calls", calls),
            ("where", {"current_region": self.region, "lost_at": self.lost_at}),
            ("action", {"action": self.action}),
        ]


def fill_wizard(client: FlaskClient, answers: WizardAnswers, **kwargs: object) -> None:
    """Answer every step; ends on the review page."""
    for name, data in answers.steps():
        response = post_form(client, f"/lost/step/{name}", f"/lost/step/{name}", data, **kwargs)
        assert response.status_code == 302, (name, response.get_data(as_text=True)[-3000:])


def submit_wizard(client: FlaskClient, answers: WizardAnswers, **kwargs: object):
    """Answer every step, submit on the review page, and follow to the result page."""
    fill_wizard(client, answers, **kwargs)
    response = post_form(client, "/lost/review", "/lost/submit", {}, **kwargs)
    assert response.status_code == 302 and response.headers["Location"] == "/lost/result"
    return client.get("/lost/result", **kwargs)


def count(session: Session, model: type, *where: object) -> int:
    """Rows of ``model`` matching ``where``."""
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where))


def audit_actions(session: Session) -> list[str]:
    """Every audit action, oldest first."""
    session.expire_all()
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def outbox(session: Session) -> list[Notification]:
    """Every queued notification, oldest first."""
    session.expire_all()
    return list(session.scalars(select(Notification).order_by(Notification.id)))


def open_reissue(session: Session, pii_key: str, subscriber: Subscriber, calls: tuple[str, ...]):
    """A reissue claim for ``subscriber`` through the use-case; returns the ticket."""
    from recovery.claims.actors import Actor
    from recovery.claims.submit import ClaimRequest, submit_claim
    from recovery.models import Action, Channel

    result = submit_claim(
        session,
        ClaimRequest(
            msisdn=subscriber.msisdn,
            full_name=subscriber.full_name,
            passport=IVANOV["passport"],
            registered_address=subscriber.registered_address,
            recent_calls=calls,
            current_region=subscriber.home_region,
            action=Action.REISSUE,
        ),
        actor=Actor("test", Channel.CLI),
        now=datetime.now(UTC),
        pii_key=pii_key,
    )
    session.commit()
    assert result.ticket is not None and result.ticket.type.value == "reissue", result.decision
    return result.ticket
