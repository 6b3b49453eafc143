"""What the pages promise matches the policy the code enforces, and pages carry no inline script."""

from __future__ import annotations

import pytest

from recovery.account.codes import CODE_TTL
from recovery.security.passwords import MIN_PASSWORD_LENGTH
from tests.helpers.account import Flow, code_in, latest_sms

PAGES = ["/", "/details", "/expenses", "/tariff", "/topup", "/support", "/settings"]


def test_the_registration_pages_quote_the_policy(client, session, subscriber):
    flow = Flow(client)
    flow.submit_number(subscriber.msisdn)
    assert f"Код действует {int(CODE_TTL.total_seconds() // 60)} мин." in client.get(
        "/account/verify"
    ).get_data(as_text=True)
    flow.submit_code(code_in(latest_sms(session, subscriber.msisdn)))
    page = client.get("/account/password/new").get_data(as_text=True)
    assert f"Не короче {MIN_PASSWORD_LENGTH} символов" in page


@pytest.mark.parametrize("path", PAGES)
def test_account_pages_have_no_inline_script_or_handlers(holder, path):
    page = holder.get(f"/account{path}").get_data(as_text=True)
    assert "<script>" not in page
    assert not any(f" on{event}=" in page for event in ("click", "submit", "load", "change", "error"))
    assert "style=" not in page  # a strict Content-Security-Policy would drop inline styles
    assert "https://" not in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")


def test_pages_are_in_english_on_request(holder):
    page = holder.get("/account/settings", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Block my SIM now" in page and "Заблокировать" not in page
