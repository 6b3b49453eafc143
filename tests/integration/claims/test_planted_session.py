"""Issue 13, item 6: a planted wizard session shows the attacker nothing of the victim's answers.

Before: the attacker started a draft, planted his cookie in the victim's
browser, the victim typed the claim into the attacker's draft, and the
attacker's replayed cookie showed it (name, address, calls). Now every step
seals the answers under a fresh handle, and the first step renews the session.
"""

from __future__ import annotations

from sqlalchemy import select

from recovery.models import ClaimDraft
from tests.helpers.claims import WizardAnswers
from tests.helpers.people import IVANOV
from tests.helpers.web import post_form, without_csrf_tokens

ATTACKER = {"msisdn": "+79990001122", "full_name": "Сидоров Пётр Петрович"}


def _cookie(client, app) -> str:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value


def test_a_planted_cookie_replayed_shows_nothing_of_the_victims_answers(app, session, ivanov):
    attacker = app.test_client()
    response = post_form(attacker, "/lost/step/number", "/lost/step/number", ATTACKER)
    assert response.status_code == 302
    planted = _cookie(attacker, app)

    # The victim's browser gets the attacker's cookie, then the victim answers every step.
    victim = app.test_client()
    victim.set_cookie(app.config["SESSION_COOKIE_NAME"], planted)
    for name, data in WizardAnswers().steps():
        response = post_form(victim, f"/lost/step/{name}", f"/lost/step/{name}", data)
        assert response.status_code == 302, name
    review = victim.get("/lost/review")
    assert review.status_code == 200 and IVANOV["address"] in review.get_data(as_text=True)
    assert _cookie(victim, app) != planted

    # The attacker replays his cookie: no page shows the victim's name, address or calls.
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], planted)
    stranger = app.test_client().get("/lost/step/number")
    page = replay.get("/lost/step/number")
    assert page.status_code == 200
    assert without_csrf_tokens(page.get_data(as_text=True)) == without_csrf_tokens(
        stranger.get_data(as_text=True)
    )
    for path in ("/lost/review", "/lost/step/passport", "/lost/step/address", "/lost/step/calls"):
        page = replay.get(path)
        assert page.status_code == 302 and page.headers["Location"] == "/lost/step/number", path
    start = replay.get("/lost/").get_data(as_text=True)
    assert not any(typed in start for typed in (IVANOV["address"], *IVANOV["calls"], IVANOV["msisdn"]))
    # One live draft: the victim's, under a handle only the victim's browser holds.
    session.expire_all()
    assert len(session.scalars(select(ClaimDraft)).all()) == 1


def test_each_step_issues_a_new_handle_and_the_old_one_opens_nothing(app, session, ivanov):
    client = app.test_client()
    post_form(
        client,
        "/lost/step/number",
        "/lost/step/number",
        {"msisdn": IVANOV["msisdn"], "full_name": IVANOV["full_name"]},
    )
    first = _cookie(client, app)
    post_form(client, "/lost/step/passport", "/lost/step/passport", {"passport": IVANOV["passport"]})
    copy = app.test_client()
    copy.set_cookie(app.config["SESSION_COOKIE_NAME"], first)
    stranger = app.test_client().get("/lost/step/number").get_data(as_text=True)
    page = copy.get("/lost/step/number").get_data(as_text=True)
    assert without_csrf_tokens(page) == without_csrf_tokens(stranger)
    assert f'value="{IVANOV["full_name"]}"' in client.get("/lost/step/number").get_data(as_text=True)
