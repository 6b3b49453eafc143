"""KYC Match is no oracle (issue 12 item 2): the per-number budget, limits per client, score bands.

The attacks of the issue, as a partner would run them: one partner guessed
the last two digits of a passport in 37 requests; climbing ``*MatchScore``
letter by letter recovered a stranger's name in about 250; ten tokens of one
partner had ten budgets.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from recovery.camara.budget import MAX_ID_DOCUMENT_FAILURES_PER_NUMBER, MAX_REQUESTS_PER_NUMBER
from recovery.camara.common import DEFAULT_PARTNER_RATE_LIMIT
from recovery.models import AuditEvent
from tests.helpers.camara import CamaraCaller
from tests.helpers.databases import ON_POSTGRES
from tests.helpers.people import DEFAULT_PASSPORT, add_token, make_api_client

KYC = "/camara/kyc-match/v0.4/match"
CHECK = "/camara/sim-swap/v2/check"
NUMBER = "+79161234567"
NOT_OURS = "+79990000001"
SERIES_AND_FIRST_FOUR = DEFAULT_PASSPORT.replace(" ", "")[:8]


def _guesses() -> list[str]:
    """The 100 passports that differ from the record in the last two digits at most."""
    return [f"{SERIES_AND_FIRST_FOUR}{n:02d}" for n in range(100)]


def _guess(caller: CamaraCaller, passport: str, number: str = NUMBER, **kwargs):
    return caller.post(KYC, {"phoneNumber": number, "idDocument": passport}, **kwargs)


def test_guessing_the_last_two_digits_gets_ten_false_answers_then_429(camara, session, subscriber):
    right = DEFAULT_PASSPORT.replace(" ", "")
    # Worst case for us: the right passport is the last one tried.
    guesses = [g for g in _guesses() if g != right] + [right]
    answers = [_guess(camara, passport) for passport in guesses]
    statuses = [response.status_code for response in answers]
    assert statuses[:MAX_ID_DOCUMENT_FAILURES_PER_NUMBER] == [200] * MAX_ID_DOCUMENT_FAILURES_PER_NUMBER
    assert all(
        a.get_json()["idDocumentMatch"] == "false" for a in answers[:MAX_ID_DOCUMENT_FAILURES_PER_NUMBER]
    )
    assert set(statuses[MAX_ID_DOCUMENT_FAILURES_PER_NUMBER:]) == {429}
    refused = answers[-1]
    assert refused.get_json()["code"] == "TOO_MANY_REQUESTS" and int(refused.headers["Retry-After"]) > 0
    # The right passport, at the end, learned nothing either.
    assert "idDocumentMatch" not in refused.get_json()
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "camara.kyc_match")).all()
    # Audited: every refusal the budget answered (past the client's per-minute limit the limiter
    # answers 429 before the view, which the limits log covers).
    per_minute = int(DEFAULT_PARTNER_RATE_LIMIT.split("/")[0])
    budget_refusals = sum(e.details.get("result") == "number_budget_exhausted" for e in events)
    assert budget_refusals == min(len(guesses), per_minute) - MAX_ID_DOCUMENT_FAILURES_PER_NUMBER


def test_the_budget_is_shared_by_every_partner(client, session, subscriber):
    callers = [CamaraCaller(client, make_api_client(session, name=f"bank-{n}")) for n in range(5)]
    statuses = [_guess(callers[n % 5], guess).status_code for n, guess in enumerate(_guesses()[:20])]
    assert statuses.count(200) == MAX_ID_DOCUMENT_FAILURES_PER_NUMBER and statuses.count(429) == 10


def test_a_number_that_is_not_ours_spends_the_budget_identically(camara, subscriber):
    ours = [_guess(camara, guess).status_code for guess in _guesses()[:12]]
    theirs = [_guess(camara, guess, NOT_OURS).status_code for guess in _guesses()[:12]]
    assert ours == [200] * 10 + [429] * 2
    assert theirs == [404] * 10 + [429] * 2


def test_right_answers_give_the_failure_back_but_every_request_counts(camara, subscriber):
    for _ in range(MAX_ID_DOCUMENT_FAILURES_PER_NUMBER + 5):
        assert _guess(camara, DEFAULT_PASSPORT).get_json()["idDocumentMatch"] == "true"
    # Any kind of look-up, KYC and SIM Swap together, up to 30 per number.
    for _ in range(MAX_REQUESTS_PER_NUMBER - MAX_ID_DOCUMENT_FAILURES_PER_NUMBER - 5):
        assert camara.post(CHECK, {"phoneNumber": NUMBER}).status_code == 200
    assert camara.post(CHECK, {"phoneNumber": NUMBER}).status_code == 429
    assert camara.post(KYC, {"phoneNumber": NUMBER, "name": "Иванов Иван Иванович"}).status_code == 429
    # Another number has its own budget.
    assert camara.post(CHECK, {"phoneNumber": "+79161234568"}).status_code == 404


def test_two_tokens_of_one_client_share_one_rate_limit(client, session, subscriber):
    first = make_api_client(session, name="bank")
    second = add_token(session, first)
    allowed = int(DEFAULT_PARTNER_RATE_LIMIT.split("/")[0])
    callers = [CamaraCaller(client, first), CamaraCaller(client, second)]
    for n in range(allowed):
        # A number each time (not ours): the number's budget is not what is measured here.
        assert callers[n % 2].post(CHECK, {"phoneNumber": f"+7999{n:07d}"}).status_code == 404
    for caller in callers:
        assert caller.post(CHECK, {"phoneNumber": "+79990009999"}).status_code == 429
    other = CamaraCaller(client, make_api_client(session, name="shop"))
    assert other.post(CHECK, {"phoneNumber": "+79990009999"}).status_code == 404


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="concurrency needs PostgreSQL (TEST_DATABASE_URL)")
def test_parallel_guesses_from_two_tokens_of_one_client_get_ten_false_answers(app, session, subscriber):
    first = make_api_client(session, name="bank")
    tokens = [first, add_token(session, first), make_api_client(session, name="other-bank")]
    parallel = 30
    barrier = threading.Barrier(parallel)

    def attempt(n: int):
        caller = CamaraCaller(app.test_client(), tokens[n % len(tokens)])
        barrier.wait()
        return _guess(caller, _guesses()[n])

    with ThreadPoolExecutor(parallel) as pool:
        answers = list(pool.map(attempt, range(parallel)))
    statuses = [a.status_code for a in answers]
    assert statuses.count(200) == MAX_ID_DOCUMENT_FAILURES_PER_NUMBER, statuses
    assert statuses.count(429) == parallel - MAX_ID_DOCUMENT_FAILURES_PER_NUMBER
