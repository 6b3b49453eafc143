"""Fixtures and helpers for the claim workflow: subscribers with a ledger, staff, API tokens, forms.

Claims run on the real clock (the app calls ``clock.now()``), so ledgers here are
placed relative to the real now, not to the fixed ``now`` fixture.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from recovery.models import (
    ApiClient,
    ApiRole,
    ApiToken,
    AuditEvent,
    Notification,
    StaffRole,
    StaffUser,
    Subscriber,
)
from recovery.security.tokens import ROLE_SCOPES, new_token, token_hash
from tests.factories import STAFF_PASSWORD, add_call, add_regular_calls, make_staff, make_subscriber

IVANOV = {
    "msisdn": "+79161234567",
    "full_name": "Иванов Иван Иванович",
    "passport": "4509 123456",
    "address": "г. Москва, ул. Ленина, д. 5, кв. 12",
    "region": "RU-MOW",
    "calls": ("+79031112233", "+79254445566", "+74951234567"),
}
UNKNOWN_NUMBER = "+79990000000"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(page: str) -> str:
    """The CSRF token of the first form on ``page``."""
    match = _CSRF.search(page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def without_tokens(page: str) -> str:
    """The page with its per-session CSRF tokens blanked, to compare two pages."""
    return _CSRF.sub('name="csrf_token" value=""', page)


def post_form(client: FlaskClient, page_url: str, action_url: str, data: dict, **kwargs: object):
    """GET ``page_url`` for its CSRF token, then POST ``data`` to ``action_url``."""
    page = client.get(page_url, **kwargs).get_data(as_text=True)
    return client.post(action_url, data={**data, "csrf_token": csrf_token(page)}, **kwargs)


@pytest.fixture
def real_now() -> datetime:
    """Now, on the clock the app uses."""
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def ivanov(session: Session, config, real_now: datetime) -> Subscriber:
    """The README's Иванов: every answer passes; home region RU-MOW."""
    subscriber = make_subscriber(
        session,
        config.PII_KEY,
        msisdn=IVANOV["msisdn"],
        full_name=IVANOV["full_name"],
        passport=IVANOV["passport"],
        address=IVANOV["address"],
        region=IVANOV["region"],
    )
    add_regular_calls(session, IVANOV["msisdn"], list(IVANOV["calls"]), real_now)
    return subscriber


def add_post_loss_activity(session: Session, msisdn: str, lost_at: datetime, count: int) -> None:
    """Calls the SIM made after ``lost_at`` (a finder's)."""
    for n in range(count):
        add_call(session, msisdn, f"+7999000{n:04d}", lost_at + timedelta(minutes=10 * (n + 1)))


def login(client: FlaskClient, user: StaffUser, password: str = STAFF_PASSWORD):
    """Sign ``user`` in through the form."""
    return post_form(client, "/staff/login", "/staff/login", {"login": user.login, "password": password})


@pytest.fixture
def agent(session: Session) -> StaffUser:
    """A call-centre agent."""
    return make_staff(session, StaffRole.AGENT, login="agent-1")


@pytest.fixture
def office_msk(session: Session) -> StaffUser:
    """An office clerk in Moscow."""
    return make_staff(session, StaffRole.OFFICE, login="office-msk", region="RU-MOW")


@pytest.fixture
def office_spb(session: Session) -> StaffUser:
    """An office clerk in Saint Petersburg."""
    return make_staff(session, StaffRole.OFFICE, login="office-spb", region="RU-SPE")


@pytest.fixture
def supervisor(session: Session) -> StaffUser:
    """A supervisor."""
    return make_staff(session, StaffRole.SUPERVISOR, login="supervisor-1")


def make_token(session: Session, role: ApiRole, region: str | None = None, name: str | None = None) -> str:
    """An API client of ``role`` with its role's scopes; returns the bearer token."""
    token = new_token()
    client = ApiClient(
        name=name or f"{role.value}-{token[:6]}",
        role=role,
        region=region,
        scopes=" ".join(ROLE_SCOPES[role.value]),
    )
    client.tokens.append(ApiToken(token_hash=token_hash(token)))
    session.add(client)
    session.commit()
    return token


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for ``token``."""
    return {"Authorization": f"Bearer {token}"}


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


@pytest.fixture
def petrova(session: Session, config, real_now: datetime) -> Subscriber:
    """A Saint Petersburg subscriber (the same passport as Иванов, for brevity)."""
    calls = ("+79213334455", "+78123456789", "+79119998877")
    subscriber = make_subscriber(
        session,
        config.PII_KEY,
        msisdn="+79217654321",
        full_name="Петрова Анна Сергеевна",
        passport=IVANOV["passport"],
        address="г. Санкт-Петербург, Невский пр-т, д. 28, кв. 7",
        region="RU-SPE",
        email="petrova@example.ru",
    )
    add_regular_calls(session, subscriber.msisdn, list(calls), real_now)
    return subscriber
