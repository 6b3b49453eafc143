"""The request side of the claim workflow, shared by the wizard, the console and the API.

The only module of :mod:`recovery.claims` that knows about Flask: it reads the
policy and keys from ``current_app.config``, runs ``submit_claim`` for the
current request, and renders the engine's messages and region names in the
request's language. Everything it calls stays Flask-free.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask import current_app
from flask_babel import get_locale, gettext

from recovery import clock
from recovery.claims.actors import Actor
from recovery.claims.ceiling import TooManyFailedNumbers
from recovery.claims.submit import ClaimRequest, ClaimResult, submit_claim
from recovery.extensions import db
from recovery.formatting import format_zoned_datetime, region_name
from recovery.verification import Message, Policy


def policy() -> Policy:
    """The verification policy of the running app."""
    return Policy.from_config(current_app.config)


def run_claim(request: ClaimRequest, actor: Actor) -> ClaimResult:
    """Submit ``request`` now for ``actor``. The caller commits.

    :class:`TooManyFailedNumbers` is raised after committing what the refusal
    recorded (its audit event and the supervisors' alert): the view answers 429.
    """
    config = current_app.config
    try:
        return submit_claim(
            db.session,
            request,
            actor=actor,
            now=clock.now(),
            pii_key=config["PII_KEY"],
            policy=policy(),
            support_numbers=tuple(config.get("SUPPORT_NUMBERS", ())),
        )
    except TooManyFailedNumbers:
        db.session.commit()
        raise


def zoned_datetime(moment: datetime) -> str:
    """A time in a message, the month by name, the zone named: ``4 дек. 2026 г., 12:35 (Москва, UTC+3)``."""
    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    return format_zoned_datetime(moment, str(get_locale() or "ru"), zone)


def render_message(message: Message) -> str:
    """One decision message in the current language."""
    return message.render(gettext=gettext, region_name=region_name, format_datetime=zoned_datetime)


def render_messages(messages: Iterable[Message]) -> list[str]:
    """Every message in the current language."""
    return [render_message(message) for message in messages]
