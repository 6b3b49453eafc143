"""The per-process token cache (issue 16): fewer queries, the same 401s within a stated bound.

A token that resolved is trusted for ``API_TOKEN_CACHE_SECONDS`` without a
query; a revocation or a disabled client made through the ORM in the process
empties the cache at once; one made elsewhere (SQL by hand, another worker)
is seen when the entry expires. Tiny TTLs keep the tests fast.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text, update

from recovery.api.auth import AuthenticatedClient
from recovery.models import ApiClient, ApiToken, AuditEvent
from recovery.security.tokens import token_hash
from tests.helpers.camara import CamaraCaller, assert_error
from tests.helpers.statements import captured_statements

CHECK = "/camara/sim-swap/v2/check"
BODY = {"phoneNumber": "+79161234567", "maxAge": 24}


def _token_queries(statements) -> int:
    return sum("api_tokens" in statement for statement in statements)


def test_a_resolved_token_is_not_asked_again_within_the_ttl(app, camara, subscriber):
    app.config["API_TOKEN_CACHE_SECONDS"] = 60
    assert camara.post(CHECK, BODY).status_code == 200
    with captured_statements(app) as statements:
        assert camara.post(CHECK, BODY).status_code == 200
    assert _token_queries(statements) == 0


def test_with_a_ttl_of_zero_every_request_asks(app, camara, subscriber):
    app.config["API_TOKEN_CACHE_SECONDS"] = 0
    assert camara.post(CHECK, BODY).status_code == 200
    with captured_statements(app) as statements:
        assert camara.post(CHECK, BODY).status_code == 200
    assert _token_queries(statements) == 1


def test_a_token_revoked_by_hand_stops_working_within_the_ttl(
    app, session, camara, partner_token, subscriber
):
    app.config["API_TOKEN_CACHE_SECONDS"] = 0.2
    assert camara.post(CHECK, BODY).status_code == 200
    # Revoked outside the ORM (as another server or an operator's SQL would): no flush to see.
    session.execute(
        text("UPDATE api_tokens SET revoked_at = :now WHERE token_hash = :hash"),
        {"now": datetime.now(UTC), "hash": token_hash(partner_token)},
    )
    session.commit()
    assert camara.post(CHECK, BODY).status_code == 200  # still trusted: the bound, not at once
    time.sleep(0.25)
    assert_error(camara.post(CHECK, BODY), 401, "UNAUTHENTICATED")


@pytest.mark.parametrize("how", ["revoke", "disable", "bulk-revoke", "delete"])
def test_a_change_through_the_orm_in_the_process_takes_effect_at_once(
    app, session, camara, partner_token, subscriber, how
):
    app.config["API_TOKEN_CACHE_SECONDS"] = 3600
    assert camara.post(CHECK, BODY).status_code == 200
    stored = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(partner_token)))
    if how == "revoke":
        stored.revoked_at = datetime.now(UTC)
    elif how == "disable":
        session.get(ApiClient, stored.client_id).is_enabled = False
    elif how == "bulk-revoke":
        session.execute(update(ApiToken).where(ApiToken.id == stored.id).values(revoked_at=datetime.now(UTC)))
    else:
        session.delete(stored)
    session.commit()
    assert_error(camara.post(CHECK, BODY), 401, "UNAUTHENTICATED")


def test_an_unknown_token_is_never_cached(app, client, session, subscriber):
    app.config["API_TOKEN_CACHE_SECONDS"] = 3600
    stranger = CamaraCaller(client, "not-a-token")
    assert_error(stranger.post(CHECK, BODY), 401, "UNAUTHENTICATED")
    with captured_statements(app) as statements:
        assert_error(stranger.post(CHECK, BODY), 401, "UNAUTHENTICATED")
    assert _token_queries(statements) == 1


def test_a_cached_client_is_plain_values_and_still_audited_by_name_and_id(app, session, camara, subscriber):
    app.config["API_TOKEN_CACHE_SECONDS"] = 60
    seen = []

    @app.after_request
    def note(response):
        from flask import g

        seen.append(g.get("api_client"))
        return response

    for _ in range(2):
        assert camara.post(CHECK, BODY).status_code == 200
    assert all(isinstance(client, AuthenticatedClient) for client in seen)
    bank = session.scalar(select(ApiClient).where(ApiClient.name == "bank"))
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "camara.sim_swap.check")).all()
    assert [(e.details["client_id"], e.actor) for e in events] == [(bank.id, "api:bank")] * 2
