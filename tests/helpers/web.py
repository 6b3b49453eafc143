"""Forms as a browser fills them: CSRF tokens, posts, signing in."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.helpers.people import STAFF_PASSWORD

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(page: str, prefix: str = "") -> str:
    """The CSRF token of the first form on ``page`` (``prefix`` for the settings page's prefixed forms)."""
    name = f"{prefix}-csrf_token" if prefix else "csrf_token"
    match = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]+)"', page)
    assert match, f"no {name} on the page"
    return match.group(1)


def csrf_token_of(client: FlaskClient, url: str = "/") -> str:
    """A CSRF token for ``client``'s session, read from ``url`` (one token serves every form)."""
    return csrf_token(client.get(url).get_data(as_text=True))


def without_csrf_tokens(page: str) -> str:
    """The page with its per-session CSRF tokens blanked, to compare two pages."""
    return _CSRF.sub('name="csrf_token" value=""', page)


def without_tokens(page: str) -> str:
    """The page with its per-request tokens and captcha ids blanked, for comparing two answers."""
    page = re.sub(r'value="[^"]*"(?=>)', 'value=""', page)
    return re.sub(r"/account/captcha/[0-9a-f-]+\.png", "/account/captcha/X.png", page)


def post_form(client: FlaskClient, page_url: str, action_url: str, data: dict, **kwargs: object):
    """GET ``page_url`` for its CSRF token, then POST ``data`` to ``action_url``."""
    page = client.get(page_url, **kwargs).get_data(as_text=True)
    return client.post(action_url, data={**data, "csrf_token": csrf_token(page)}, **kwargs)


def log_in_as(client: FlaskClient, user: object) -> None:
    """Put ``user`` (an account or staff) in the client's session, as Flask-Login does after a login."""
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = user.get_id()
        flask_session["_fresh"] = True


def login(client: FlaskClient, user: object, password: str = STAFF_PASSWORD):
    """Sign staff ``user`` in through the form."""
    return post_form(client, "/staff/login", "/staff/login", {"login": user.login, "password": password})


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for ``token``."""
    return {"Authorization": f"Bearer {token}"}
