"""What a claimant or an agent is told about a decision, as codes plus parameters.

Flask-free code cannot call Flask-Babel, so a decision carries
:class:`Message` values: a :class:`MessageCode` and its parameters. Each code
has an English msgid, marked with ``N_`` so that ``pybabel extract`` (whose
default keywords include ``N_``) collects it into ``messages.pot``; the web
layer renders it with ``Message.render(gettext=flask_babel.gettext, …)``.

Codes and parameters:

=============================  =====================================================
``verification_failed``        none — the same for an unknown number and a wrong answer
``number_locked``              ``until``: aware datetime when remote verification reopens
``sim_blocked``                none
``reissue_ticket_opened``      ``region``: ISO 3166-2 code of the issuing offices
``reissue_ticket_exists``      ``region``
``reissue_home_region_only``   ``region``: the home region
``reissue_needs_office_visit`` ``region``: the home region
``reissue_in_person_only``     ``region``: the home region
``post_loss_activity``         ``count``: events the SIM made after the loss (capped)
``cooling_period``             ``hours``: no SMS and no mobile data for this long
=============================  =====================================================
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime


def N_(msgid: str) -> str:
    """Mark a msgid for extraction without translating it here (pybabel knows ``N_``)."""
    return msgid


class MessageCode(enum.StrEnum):
    """Everything a decision may tell the claimant or the agent."""

    VERIFICATION_FAILED = "verification_failed"
    NUMBER_LOCKED = "number_locked"
    SIM_BLOCKED = "sim_blocked"
    REISSUE_TICKET_OPENED = "reissue_ticket_opened"
    REISSUE_TICKET_EXISTS = "reissue_ticket_exists"
    REISSUE_HOME_REGION_ONLY = "reissue_home_region_only"
    REISSUE_NEEDS_OFFICE_VISIT = "reissue_needs_office_visit"
    REISSUE_IN_PERSON_ONLY = "reissue_in_person_only"
    POST_LOSS_ACTIVITY = "post_loss_activity"
    COOLING_PERIOD = "cooling_period"

    @property
    def msgid(self) -> str:
        """The English text, with ``%(name)s`` placeholders for the parameters."""
        return MSGIDS[self]


MSGIDS: Mapping[MessageCode, str] = {
    MessageCode.VERIFICATION_FAILED: N_(
        "The details you gave do not match our records. Check them and try again, "
        "or visit one of our offices with your passport."
    ),
    MessageCode.NUMBER_LOCKED: N_(
        "Too many unsuccessful attempts for this number: remote checks are paused until "
        "%(until)s. The owner can still block the SIM card from the personal account, or get help "
        "at one of our offices with a passport."
    ),
    MessageCode.SIM_BLOCKED: N_("The SIM card has been blocked."),
    MessageCode.REISSUE_TICKET_OPENED: N_(
        "The SIM card has been blocked. A new SIM card with the same number can be collected "
        "at our office in %(region)s: bring your passport."
    ),
    MessageCode.REISSUE_TICKET_EXISTS: N_(
        "A new SIM card for this number has already been requested: collect it at our office "
        "in %(region)s with your passport."
    ),
    MessageCode.REISSUE_HOME_REGION_ONLY: N_(
        "A new SIM card with this number can be issued only in its home region, %(region)s. "
        "Visit our office there with your passport."
    ),
    MessageCode.REISSUE_NEEDS_OFFICE_VISIT: N_(
        "Your answers were enough to block the SIM card, but not to issue a new one remotely. "
        "To get a new SIM card with the same number, visit our office in %(region)s with your passport."
    ),
    MessageCode.REISSUE_IN_PERSON_ONLY: N_(
        "At the owner's request, a new SIM card for this number is issued only in person. "
        "Visit our office in %(region)s with your passport."
    ),
    MessageCode.POST_LOSS_ACTIVITY: N_(
        "The SIM card was used %(count)s times after the time of the loss. It is blocked now."
    ),
    MessageCode.COOLING_PERIOD: N_(
        "For safety, the new SIM card will not receive SMS or use mobile data for the first %(hours)s hours."
    ),
}

ParamValue = str | int | datetime


def _same(value: str) -> str:
    return value


def _iso(moment: datetime) -> str:
    return moment.isoformat()


@dataclass(frozen=True)
class Message:
    """A message code and its parameters (kept as sorted pairs, so that messages hash)."""

    code: MessageCode
    items: tuple[tuple[str, ParamValue], ...] = ()

    @classmethod
    def of(cls, code: MessageCode, **params: ParamValue) -> Message:
        """Build a message: ``Message.of(MessageCode.SIM_BLOCKED)``."""
        return cls(code, tuple(sorted(params.items())))

    @property
    def params(self) -> dict[str, ParamValue]:
        """The parameters by name."""
        return dict(self.items)

    def render(
        self,
        gettext: Callable[[str], str] = _same,
        region_name: Callable[[str], str] = _same,
        format_datetime: Callable[[datetime], str] = _iso,
    ) -> str:
        """The text for a reader: translated, with region names and dates formatted."""
        values: dict[str, str | int] = {}
        for name, value in self.items:
            if isinstance(value, datetime):
                values[name] = format_datetime(value)
            elif name == "region":
                values[name] = region_name(str(value))
            else:
                values[name] = value
        return gettext(self.code.msgid) % values
