"""Result pages before the network confirmed the block: "blocking…", not "blocked".

A claim blocks the SIM in our database at once and queues the network's block
(``recovery.network.provisioning``); the worker delivers it. Until the HLR has
confirmed it, the claimant's and the agent's pages must not promise a SIM that
is already barred. Only verified claims (block, reissue) get here: a rejected
or unknown number's page never asks the network, so it cannot differ.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext

from recovery.claims.boundary import render_message, zoned_datetime
from recovery.extensions import db
from recovery.formatting import region_name
from recovery.network.unblock import block_confirmed
from recovery.verification import Message, MessageCode
from recovery.verification.messages import N_

#: What a message says while the network has not confirmed the block (same parameters).
WHILE_BLOCKING = {
    MessageCode.SIM_BLOCKED: N_("The SIM card is being blocked: the network has not confirmed it yet."),
    MessageCode.REISSUE_TICKET_OPENED: N_(
        "The SIM card is being blocked. A new SIM card with the same number can be collected "
        "at our office in %(region)s: bring your passport."
    ),
    MessageCode.POST_LOSS_ACTIVITY: N_(
        "The SIM card was used %(count)s times after the time of the loss. It is being blocked now."
    ),
}


def render_result_messages(messages: Iterable[Message], *, blocking: bool) -> list[str]:
    """The claim's messages in the current language; "being blocked" wording while ``blocking``."""
    rendered = []
    for message in messages:
        variant = WHILE_BLOCKING.get(message.code) if blocking else None
        if variant is None:
            rendered.append(render_message(message))
        else:
            rendered.append(
                message.render(
                    gettext=lambda _msgid, variant=variant: gettext(variant),
                    region_name=region_name,
                    format_datetime=zoned_datetime,
                )
            )
    return rendered


def blocking(msisdn: str) -> bool:
    """Whether the number's block still waits for the network (see ``block_confirmed``)."""
    return not block_confirmed(db.session, msisdn)
