"""The audit log in a supervisor's words: what happened, over which channel, with which details.

The log stores codes (``claim.submitted``, ``web``, ``reason_chars``); the page
names them in the reader's language and keeps the code in a tooltip and in the
CSV export, where a search or a script needs it. A code without a label here
is shown with its dots and underscores as spaces, never as a code.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from recovery.formatting import format_phone, region_name

#: Audit actions (``AuditEvent.action``) as the log reads them.
ACTION_LABELS = {
    "account.code_requested": _l("Account: SMS code requested"),
    "account.email_changed": _l("Account: e-mail changed"),
    "account.language_changed": _l("Account: language changed"),
    "account.login": _l("Account: signed in"),
    "account.login_failed": _l("Account: failed sign-in"),
    "account.logout": _l("Account: signed out"),
    "account.password_changed": _l("Account: password changed"),
    "account.password_reset": _l("Account: password restored"),
    "account.registered": _l("Account: registered"),
    "account.sim_lock_on": _l("Account: SIM lock on"),
    "account.sim_lock_release_cancelled": _l("Account: SIM lock release cancelled"),
    "account.sim_lock_release_requested": _l("Account: SIM lock release requested"),
    "account.tariff_changed": _l("Account: tariff changed"),
    "account.top_up": _l("Account: balance top-up"),
    "agent.number_status": _l("Agent: number status looked up"),
    "api_client.create": _l("API client created"),
    "api_client.new_token": _l("API client: new token"),
    "audit.exported": _l("Audit log exported"),
    "camara.kyc_match": _l("Partner API: KYC match"),
    "claim.submitted": _l("Claim submitted"),
    "claims.client_throttled": _l("API client stopped after failing on many numbers"),
    "ledger.partitions": _l("Call ledger: partitions"),
    "network.reconciled": _l("Network: states reconciled"),
    "notification.failed": _l("Notification not delivered"),
    "number.unlocked": _l("Checks resumed"),
    "outbox.prune": _l("Outbox: old messages removed"),
    "pii.rotate_keys": _l("Personal data keys rotated"),
    "provisioning.done": _l("Network: change confirmed"),
    "provisioning.failed": _l("Network: change failed"),
    "provisioning.pending": _l("Network: change queued"),
    "seed.demo": _l("Demo data loaded"),
    "sim.blocked": _l("SIM blocked"),
    "sim.unblock_refused": _l("SIM unblock refused"),
    "sim.unblocked": _l("SIM unblocked"),
    "staff.create": _l("Staff account created"),
    "staff.login": _l("Staff: signed in"),
    "staff.login_failed": _l("Staff: failed sign-in"),
    "staff.logout": _l("Staff: signed out"),
    "staff.session_expired": _l("Staff: session expired"),
    "subscriber.create": _l("Subscriber created"),
    "support.message": _l("Support chat message"),
    "ticket.cancelled": _l("Ticket cancelled"),
    "ticket.fulfilled": _l("New SIM handed over"),
    "ticket.opened": _l("Ticket opened"),
    "ticket.passport_mismatch": _l("Wrong passport at the office"),
}

#: Channels (``recovery.vocabulary.Channel``).
CHANNEL_LABELS = {
    "web": _l("website"),
    "agent": _l("call centre"),
    "api": _l("partner API"),
    "account": _l("personal account"),
    "office": _l("office"),
    "cli": _l("command line"),
}

#: Keys of an event's details.
DETAIL_LABELS = {
    "amount_kopecks": _l("amount"),
    "attempts": _l("attempts"),
    "author": _l("author"),
    "claim": _l("claim"),
    "client_id": _l("client"),
    "current_region": _l("region of the caller"),
    "failed_numbers": _l("failed numbers"),
    "home_region": _l("home region"),
    "kind": _l("kind"),
    "message_id": _l("message"),
    "msisdn": _l("number"),
    "notification_channel": _l("channel"),
    "notification_id": _l("notification"),
    "operation": _l("operation"),
    "outcome": _l("outcome"),
    "provisioning_id": _l("network change"),
    "reason_chars": _l("reason, characters"),
    "region": _l("region"),
    "requested": _l("asked for"),
    "role": _l("role"),
    "sim_id": _l("SIM"),
    "ticket": _l("ticket"),
    "ticket_id": _l("ticket"),
    "top_up_id": _l("top-up"),
    "type": _l("type"),
}
#: Coded values of the keys in ``_CODED_KEYS``, as the agent's and office's pages name them.
VALUE_LABELS = {
    "reissue": _l("reissue"),
    "block": _l("block"),
    "rejected": _l("rejected"),
    "locked": _l("checks paused"),
    "agent": _l("agent"),
    "office": _l("office"),
    "supervisor": _l("supervisor"),
    "subscriber": _l("subscriber"),
}
_CODED_KEYS = frozenset({"outcome", "requested", "role", "author"})
_REGION_KEYS = frozenset({"region", "home_region", "current_region"})
_E164 = re.compile(r"\+\d{8,15}")


def _spaced(code: str) -> str:
    words = re.sub(r"[._]+", " ", code).strip()
    return words[:1].upper() + words[1:]


def action_label(action: str) -> str:
    """An audit action in the reader's words."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else _spaced(action)


def channel_label(channel: str | None) -> str:
    """A channel in the reader's words."""
    if not channel:
        return ""
    label = CHANNEL_LABELS.get(channel)
    return str(label) if label is not None else _spaced(channel)


def detail_items(details: dict[str, object] | None) -> list[tuple[str, str, str]]:
    """An event's details as (code, label, value), without empty ones; regions by name, numbers grouped."""
    items = []
    for key, value in sorted((details or {}).items()):
        if value is None:
            continue
        label = DETAIL_LABELS.get(key)
        shown = str(value)
        if key in _CODED_KEYS and shown in VALUE_LABELS:
            shown = str(VALUE_LABELS[shown])
        elif key in _REGION_KEYS:
            shown = region_name(shown)
        elif _E164.fullmatch(shown):
            shown = format_phone(shown)
        elif "_" in shown and shown.islower():
            shown = shown.replace("_", " ")
        items.append((key, str(label) if label is not None else _spaced(key).lower(), shown))
    return items


def subject_label(subject: str | None) -> str:
    """The event's subject: a number grouped, a region by name, anything else as stored."""
    if not subject:
        return ""
    if _E164.fullmatch(subject):
        return format_phone(subject)
    return subject
