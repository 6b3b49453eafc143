"""What a claim row keeps of its verification and decision, and how it is read back.

The claim keeps per-answer statuses, counts and message codes, never the
answers: :func:`stored_verification` writes that form; pages and the API that
show a claim later (not the request that made it, which holds the objects)
read it back with :func:`stored_messages` and :func:`stored_summary`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from recovery.models import Claim
from recovery.verification import Decision, MatchStatus, Message, MessageCode, Verification

#: Message parameters stored as ISO text that are datetimes (see recovery.verification.messages).
_DATETIME_PARAMS = frozenset({"until"})


def stored_verification(verification: Verification, decision: Decision) -> dict[str, Any]:
    """What the claim row keeps: per-answer statuses, counts and message codes, never answers."""
    return {
        "name": verification.name.status.value,
        "passport": verification.passport.status.value,
        "address": verification.address.status.value,
        "calls": verification.calls.status.value,
        "callsMatched": verification.calls.matched,
        "callsRequired": verification.calls.required,
        "postLossActivity": verification.post_loss_events,
        "messages": [
            {
                "code": message.code.value,
                "params": {
                    name: value.isoformat() if isinstance(value, datetime) else value
                    for name, value in message.items
                },
            }
            for message in decision.messages
        ],
    }


def stored_messages(claim: Claim) -> tuple[Message, ...]:
    """The decision's messages as recorded on ``claim``."""
    messages = []
    for item in (claim.verification or {}).get("messages", []):
        params = {
            name: datetime.fromisoformat(value) if name in _DATETIME_PARAMS else value
            for name, value in item.get("params", {}).items()
        }
        messages.append(Message.of(MessageCode(item["code"]), **params))
    return tuple(messages)


def stored_summary(claim: Claim, calls_required: int) -> dict[str, bool | int]:
    """:meth:`Verification.summary` as recorded on ``claim`` (``calls_required`` when not recorded)."""
    checks = claim.verification or {}
    matched = MatchStatus.MATCH.value
    return {
        "name": checks.get("name") == matched,
        "passport": checks.get("passport") == matched,
        "address": checks.get("address") == matched,
        "callsMatched": checks.get("callsMatched", 0),
        "callsRequired": checks.get("callsRequired", calls_required),
        "postLossActivity": checks.get("postLossActivity", 0),
    }
