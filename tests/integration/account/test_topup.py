"""Top-up: amount validation, idempotency (one charge per form), history and receipts."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from recovery.account import payments
from recovery.models import Account, AuditEvent, Subscriber, TopUp, TopUpStatus
from tests.helpers.web import csrf_token

KEY = "5f0c3a1e9b7d4c2a8e6f1b3d5a7c9e0f"


def form(holder):
    page = holder.get("/account/topup").get_data(as_text=True)
    key = page.split('name="idempotency_key" type="hidden" value="', 1)[1].split('"', 1)[0]
    return csrf_token(page), key


def balance(session, subscriber) -> int:
    session.expire_all()
    return session.get(Subscriber, subscriber.id).balance_kopecks


def test_a_top_up_adds_to_the_balance_and_is_audited(holder, session, subscriber):
    token, key = form(holder)
    response = holder.post(
        "/account/topup", data={"csrf_token": token, "idempotency_key": key, "amount": "250,50"}
    )
    row = session.scalars(select(TopUp)).one()
    assert response.headers["Location"] == f"/account/topup/{row.id}"
    assert (row.amount_kopecks, row.status, row.idempotency_key) == (25050, TopUpStatus.SUCCEEDED, key)
    assert balance(session, subscriber) == 10_000 + 25_050
    receipt = holder.get(response.headers["Location"]).get_data(as_text=True)
    assert "Оплачено: 250,50\u00a0₽" in receipt and "350,50\u00a0₽" in receipt
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "account.top_up")).one()
    assert event.details == {"top_up_id": row.id, "amount_kopecks": 25050, "status": "succeeded"}
    assert "250,50" in holder.get("/account/topup").get_data(as_text=True)  # in the history


def test_a_double_submit_charges_once(holder, session, subscriber):
    token, key = form(holder)
    data = {"csrf_token": token, "idempotency_key": key, "amount": "500"}
    first = holder.post("/account/topup", data=data)
    second = holder.post("/account/topup", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert session.scalar(select(func.count()).select_from(TopUp)) == 1
    assert balance(session, subscriber) == 10_000 + 50_000
    page = holder.get(second.headers["Location"]).get_data(as_text=True)
    assert "повторно деньги не списаны" in page


def test_each_form_gets_its_own_key(holder):
    assert form(holder)[1] != form(holder)[1]


@pytest.mark.parametrize(
    "amount", ["0", "0,99", "-5", "abc", "15000,01", "100000", "1.234", "", "1e3", "١٠٠"]
)
def test_a_bad_amount_is_refused_next_to_the_field(holder, session, subscriber, amount):
    token, key = form(holder)
    response = holder.post(
        "/account/topup", data={"csrf_token": token, "idempotency_key": key, "amount": amount}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'aria-describedby="amount-help amount-error"' in page
    assert session.scalar(select(func.count()).select_from(TopUp)) == 0
    assert balance(session, subscriber) == 10_000


@pytest.mark.parametrize(("amount", "kopecks"), [("1", 100), ("15 000", 1_500_000), ("99.9", 9990)])
def test_amounts_at_the_limits_are_accepted(holder, session, amount, kopecks):
    token, key = form(holder)
    holder.post("/account/topup", data={"csrf_token": token, "idempotency_key": key, "amount": amount})
    assert session.scalars(select(TopUp.amount_kopecks)).one() == kopecks


def test_a_forged_key_is_refused(holder, session):
    token, _key = form(holder)
    holder.post("/account/topup", data={"csrf_token": token, "idempotency_key": "x'; --", "amount": "10"})
    assert session.scalar(select(func.count()).select_from(TopUp)) == 0


class DecliningProvider:
    def charge(
        self, *, amount_kopecks: int, idempotency_key: str, description: str
    ) -> payments.PaymentResult:
        return payments.PaymentResult(approved=False, reference="declined-1")


def test_a_declined_payment_leaves_the_balance(app, holder, session, subscriber):
    app.extensions["payment_provider"] = DecliningProvider()
    token, key = form(holder)
    response = holder.post(
        "/account/topup", data={"csrf_token": token, "idempotency_key": key, "amount": "300"}
    )
    assert "отклонён" in holder.get(response.headers["Location"]).get_data(as_text=True)
    assert session.scalars(select(TopUp.status)).one() == TopUpStatus.DECLINED
    assert balance(session, subscriber) == 10_000


def test_a_key_used_in_another_transaction_returns_the_first_top_up(app, session, account):
    """Two requests with one key: the unique constraint lets only the first charge."""
    from recovery.extensions import db

    with app.app_context():
        engine = db.engine
    charges = []

    class CountingProvider(payments.SimulatedPaymentProvider):
        def charge(self, **kwargs):
            charges.append(kwargs)
            return super().charge(**kwargs)

    provider = CountingProvider()
    results = []
    for _ in range(2):
        with Session(engine, expire_on_commit=False) as request_session:
            holder = request_session.get(Account, account.id)
            row, created = payments.top_up(
                request_session, holder, 1000, KEY, now=account.created_at, provider=provider
            )
            request_session.commit()
            results.append((row.id, created))
    assert len(charges) == 1
    assert results[1] == (results[0][0], False)
    assert session.scalar(select(func.count()).select_from(TopUp)) == 1
