"""Rate limits: named limits, key functions and one-line decorators for the features.

Usage, one line per view (the limits count submissions — POST, PUT, PATCH, DELETE — only)::

    from recovery.security.ratelimit import claim_limits, login_limits, sms_limits, api_limits

    @bp.post("/lost/submit")
    @claim_limits("web")            # per IP + per claimed number; fails closed
    def submit(): ...

    @bp.post("/agent/claims")
    @claim_limits("agent")          # per agent; fails open (the owner's way to block by phone)
    def agent_claim(): ...

    @bp.post("/staff/login")
    @login_limits("login")          # per IP + per (login name typed, IP)
    def login(): ...

    @bp.post("/account/register/sms")
    @sms_limits()                   # per IP + per number; fails closed
    def send_code(): ...

    api_limits(api_bp)              # a whole JSON blueprint: per client + per IP
    # and @claim_limits("api") on POST /api/v1/claims: per client + per number; fails closed

For anything else: ``@limit_submissions(LIMITS, key=..., scope=..., fail_closed=...)``.
Limit strings follow Flask-Limiter ("10 per hour;20 per day"). Per-number and
per-login keys are keyed hashes, so neither Redis nor a log line holds the
number or the login itself.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import Blueprint, current_app, request, session
from flask_limiter.util import get_remote_address

from recovery.extensions import limiter
from recovery.phones import InvalidPhoneNumber, to_e164

F = TypeVar("F", bound=Callable[..., Any])
KeyFunc = Callable[[], str]

# --- Limits -----------------------------------------------------------------------------------------
# Self-service claims (/lost) from one address. The database locks a number after
# 5 failed claims in 24 h (DESIGN 2.3); 20 a day from one address means one
# attacker can push at most four numbers into that lock, not thousands.
CLAIM_LIMITS_PER_IP = "10 per hour;20 per day"
# Remote claims about one number, from anywhere. Above the 5-failure lock, so the
# lock (with its clear message and supervisor unlock) normally answers first;
# this stops a botnet from spreading guesses over many addresses.
CLAIM_LIMITS_PER_NUMBER = "10 per hour;30 per day"
# An agent types claims for callers all day; many agents share one office address,
# so agents are counted per person, never per address.
AGENT_CLAIM_LIMITS_PER_USER = "60 per hour;400 per day"
# Number-status look-ups on the agent console, per agent (GET, not a submission): a
# caller's number or two per call, never a list of numbers (config AGENT_STATUS_LOOKUP_LIMITS).
AGENT_STATUS_LOOKUP_LIMITS = "60 per hour"
# Claims through the JSON API, per client (all its tokens together).
API_CLAIM_LIMITS_PER_CLIENT = "120 per minute;5000 per day"
# Logins (staff and account holders), per address and per (login typed, address).
# Short windows throttle guessing (NIST SP 800-63B 5.2.2) without locking the owner
# out: no bucket is per login alone, which guessing from many addresses could fill
# for the owner; across addresses the login feature asks for a captcha instead
# (recovery.security.throttle, counted in the database).
LOGIN_LIMITS = "10 per minute;100 per hour"
LOGIN_LIMITS_PER_ACCOUNT = "5 per minute;30 per hour"
# SMS codes cost money and reach a person's phone: per number and per address.
SMS_LIMITS = "3 per 10 minutes;10 per day"
SMS_LIMITS_PER_IP = "10 per hour;30 per day"
# Partner and agent programs, per client (all its tokens together); requests with
# unknown tokens are counted per address, and the per-address ceiling covers all.
API_LIMITS_PER_CLIENT = "300 per minute"
API_LIMITS_PER_IP = "600 per minute"

#: Form / JSON field names in which a phone number is looked for, in order.
NUMBER_FIELDS: tuple[str, ...] = ("phoneNumber", "phone_number", "msisdn", "phone")

SUBMISSION_METHODS = ["POST", "PUT", "PATCH", "DELETE"]


# --- Keys ---------------------------------------------------------------------------------------------
def keyed_bucket(kind: str, value: str, secret: str) -> str:
    """A stable, non-reversible name for a value (a number, a login) in the rate-limit store."""
    digest = hmac.new(secret.encode(), f"ratelimit:{kind}:{value}".encode(), hashlib.sha256).hexdigest()
    return f"{kind}:{digest[:32]}"


def number_bucket(raw: str, secret: str) -> str:
    """Bucket of a typed number: ``8 916 123-45-67`` and ``+79161234567`` share one.

    Text that is no valid number is bucketed as typed (spacing tidied), so junk
    is limited too rather than slipping past the limit.
    """
    try:
        canonical = to_e164(raw)
    except InvalidPhoneNumber:
        canonical = " ".join(raw.split())
    return keyed_bucket("number", canonical, secret)


def submitted_field(names: Iterable[str]) -> str | None:
    """The first non-empty text among ``names`` in the JSON body or the form, if any."""
    if request.is_json:
        body = request.get_json(silent=True)
        values = body if isinstance(body, dict) else {}
    else:
        values = request.form
    for name in names:
        value = values.get(name)
        if isinstance(value, str) and value.strip():
            return value
    return None


def ip_key() -> str:
    """Per client address (``request.remote_addr``; see ``PROXY_FIX_X_FOR`` behind a proxy)."""
    return f"ip:{get_remote_address()}"


def number_key_for(fields: Iterable[str] = NUMBER_FIELDS) -> KeyFunc:
    """Key function: per phone number in the submitted form or JSON body.

    Without a number in the body the request is counted per address, so that
    number-less steps never share one bucket across all users.
    """
    names = tuple(fields)

    def key() -> str:
        raw = submitted_field(names)
        if raw is None:
            return ip_key()
        return number_bucket(raw, current_app.config["PII_KEY"])

    return key


#: Per phone number in the body (fields ``NUMBER_FIELDS``), else per address.
number_key = number_key_for()


def field_key_for(*fields: str) -> KeyFunc:
    """Key function: per value typed in one of ``fields`` (a login name), case-insensitive."""

    def key() -> str:
        raw = submitted_field(fields)
        if raw is None:
            return ip_key()
        return keyed_bucket("field", raw.strip().casefold(), current_app.config["PII_KEY"])

    return key


def field_and_ip_key_for(*fields: str) -> KeyFunc:
    """Key function: per value typed in one of ``fields`` *from this address* (a login, per address).

    A login's bucket per address: guessing from elsewhere never fills the
    owner's bucket, so it cannot be used to refuse the owner (issue 13.4).
    """
    field = field_key_for(*fields)

    def key() -> str:
        return f"{field()}:{ip_key()}"

    return key


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer …`` header, if there is one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def api_client_key() -> str:
    """Per API *client*, whatever token of it is used; an unknown token is counted per address.

    Limits are checked before the view authenticates, so the token is resolved
    here (once per request, cached on ``g`` and reused by ``token_required``):
    ten tokens of one partner share one budget (issue 12), and made-up tokens
    cannot each open a fresh bucket.
    """
    if bearer_token() is None:
        return ip_key()
    # Imported here: the API package builds on this one, not the other way round.
    from recovery.api.auth import request_client

    client = request_client()
    return f"client:{client.id}" if client is not None else ip_key()


def user_key() -> str:
    """Per signed-in user (``staff:12``, ``account:34``), else per address.

    The session id's last part, the session version (``staff:12:3``,
    recovery/auth.py), is left out: signing out and in again must not give a
    user a fresh budget.
    """
    user_id = session.get("_user_id")  # Flask-Login's session key: no database read needed
    if not isinstance(user_id, str) or not user_id:
        return ip_key()
    kind, _, rest = user_id.partition(":")
    return f"user:{kind}:{rest.partition(':')[0]}"


# --- Decorators ---------------------------------------------------------------------------------------
def limit_submissions(
    limits: str | Callable[[], str],
    *,
    key: KeyFunc,
    scope: str,
    fail_closed: bool = False,
    deduct_when: Callable[[Any], bool] | None = None,
) -> Callable[[F], F]:
    """Count POST/PUT/PATCH/DELETE requests to the view against ``limits`` per ``key``.

    ``limits`` may be a function returning the limit string, read per request
    (a limit taken from the app's config).

    ``scope`` names the bucket: views with the same scope share it (the steps
    of one wizard, the same action on web and API). ``fail_closed`` answers 503
    when the store is down instead of serving unthrottled. ``deduct_when``
    (given the response) counts only some requests — e.g. those that sent an
    SMS — while every request is refused once the limit is reached.
    """

    def decorate(view: F) -> F:
        if fail_closed:
            limiter.fail_closed(view)
        # override_defaults=False: the view's limits come on top of its blueprint's (``api_limits``),
        # not instead of them — Flask-Limiter's default would drop the blueprint's per-address ceiling.
        return limiter.shared_limit(
            limits,
            scope=scope,
            key_func=key,
            methods=SUBMISSION_METHODS,
            override_defaults=False,
            deduct_when=deduct_when,
        )(view)

    return decorate


#: Per channel: who is counted, their limits, whether the number is counted too, and whether the
#: limits fail closed. The agent console stays open when the store is down: it is the owner's way
#: to block (0890) when the web refuses, and the agent is signed in, audited and time-limited.
CLAIM_CHANNELS: dict[str, tuple[KeyFunc, str, bool, bool]] = {
    "web": (ip_key, CLAIM_LIMITS_PER_IP, True, True),
    "api": (api_client_key, API_CLAIM_LIMITS_PER_CLIENT, True, True),
    "agent": (user_key, AGENT_CLAIM_LIMITS_PER_USER, False, False),
}


def claim_limits(
    channel: str = "web",
    number_fields: Iterable[str] = NUMBER_FIELDS,
    *,
    number_key: KeyFunc | None = None,
) -> Callable[[F], F]:
    """Claim limits for ``channel`` (``web``, ``api`` or ``agent``).

    Web: per address and per claimed number; API: per client and per number;
    both fail closed. Agent console: per agent, failing open (the caller's
    number is not counted here, so a flood on the web cannot stop an agent
    from blocking the owner's SIM; the database's five-failure lock still
    applies to every channel). The number is read from ``number_fields`` of
    the body, or by ``number_key`` where the body does not hold it (the
    wizard's last step: its answers are in the draft); use ``number_bucket``.
    """
    requester, requester_limits, per_number, closed = CLAIM_CHANNELS[channel]
    number = number_key or number_key_for(number_fields)

    def decorate(view: F) -> F:
        if per_number:
            view = limit_submissions(
                CLAIM_LIMITS_PER_NUMBER, key=number, scope=f"claim-number-{channel}", fail_closed=closed
            )(view)
        return limit_submissions(
            requester_limits, key=requester, scope=f"claim-{channel}", fail_closed=closed
        )(view)

    return decorate


def login_limits(*account_fields: str) -> Callable[[F], F]:
    """Login limits: per address, and per (login typed in ``account_fields``, address); default ``login``."""
    fields = account_fields or ("login",)

    def decorate(view: F) -> F:
        view = limit_submissions(
            LOGIN_LIMITS_PER_ACCOUNT, key=field_and_ip_key_for(*fields), scope="login-account"
        )(view)
        return limit_submissions(LOGIN_LIMITS, key=ip_key, scope="login-ip")(view)

    return decorate


def sms_limits(
    number_fields: Iterable[str] = NUMBER_FIELDS,
    *,
    number_key: KeyFunc | None = None,
    deduct_when: Callable[[Any], bool] | None = None,
) -> Callable[[F], F]:
    """Limits on sending SMS codes: per number and per address; they fail closed.

    Closed because an unthrottled SMS endpoint costs money per message (SMS
    pumping) and lets anyone flood a stranger's phone. The number is read from
    ``number_fields`` of the body, or by ``number_key`` where the body does not
    hold it (a resend: the number is in the session). ``deduct_when`` counts
    only the requests that did send a code (a wrong captcha sends none).
    """
    number = number_key or number_key_for(number_fields)

    def decorate(view: F) -> F:
        view = limit_submissions(
            SMS_LIMITS, key=number, scope="sms-number", fail_closed=True, deduct_when=deduct_when
        )(view)
        return limit_submissions(
            SMS_LIMITS_PER_IP, key=ip_key, scope="sms-ip", fail_closed=True, deduct_when=deduct_when
        )(view)

    return decorate


def api_limits(target: Any) -> Any:
    """Per-client and per-address limits on a whole JSON blueprint (``api_limits(bp)``) or one view.

    The budget is shared by every endpoint of every blueprint so limited: a
    client's requests all count together, whatever path they take.
    """
    per_ip = limiter.shared_limit(API_LIMITS_PER_IP, scope="api-ip", key_func=ip_key)
    per_client = limiter.shared_limit(API_LIMITS_PER_CLIENT, scope="api-client", key_func=api_client_key)
    if isinstance(target, Blueprint):
        per_ip(target)
        per_client(target)
        return target
    return per_client(per_ip(target))
