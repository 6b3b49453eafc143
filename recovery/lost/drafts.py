"""Server-side state of the wizard between steps, encrypted with a key the database never sees.

Threats and choices:

* **The cookie.** Flask's session cookie is signed, not encrypted: whatever
  it holds can be read by anyone who gets hold of it. It holds only a random
  draft id and a random 256-bit key, no answer.
* **The database.** The ``claim_drafts`` row holds the answers encrypted with
  AES-GCM under that key (the draft id is the associated data, so a payload
  cannot be moved to another row). A copy of the database, a backup or a
  curious administrator sees ciphertext; only the claimant's browser can
  open it, and only until the draft expires.
* **The passport** is never kept as typed, not even encrypted: the passport
  step stores its keyed HMAC (``recovery.passports.passport_digest``, the form
  the subscriber table uses), which is all the decision needs. So it cannot be
  shown back on the review page: the claimant re-types it to change it.
* **A planted or copied cookie.** Whoever holds a copy of the cookie holds
  the handle. So a handle is good for one write only: every save seals the
  answers under a fresh draft id and a fresh key and deletes the row of the
  old handle (:func:`save` returns the new handle), and the wizard clears the
  rest of the session when the first step is saved (a claim starts there).
  An attacker who planted their own cookie in a victim's browser, or copied
  the victim's, holds a handle whose row is gone at the victim's next step:
  replayed, it opens nothing the victim typed. The draft is thus bound to the
  one browser that made its last change.
* **Lifetime.** A draft lives ``DRAFT_MINUTES`` after its last step; expired
  drafts are unreadable and deleted whenever a new draft is started, and a
  draft is deleted as soon as its claim is submitted.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from datetime import datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete
from sqlalchemy.orm import Session

from recovery.models import ClaimDraft

#: A draft expires this long after its last change.
DRAFT_MINUTES = 30
_NONCE_BYTES = 12


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _seal(draft_id: str, key: bytes, data: dict[str, Any]) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    plain = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return nonce + AESGCM(key).encrypt(nonce, plain, draft_id.encode())


def _open(draft_id: str, key: bytes, payload: bytes) -> dict[str, Any] | None:
    try:
        plain = AESGCM(key).decrypt(payload[:_NONCE_BYTES], payload[_NONCE_BYTES:], draft_id.encode())
    except (InvalidTag, ValueError):
        return None
    return json.loads(plain)


def _split(handle: str | None) -> tuple[str, bytes] | None:
    """The draft id and key from the session's handle ``<id>.<key>``."""
    if not handle or not isinstance(handle, str) or handle.count(".") != 1:
        return None
    draft_id, _, key_text = handle.partition(".")
    try:
        key = _decode(key_text)
    except (binascii.Error, ValueError):
        return None
    return (draft_id, key) if len(key) == 32 and len(draft_id) <= 43 else None


def start(session: Session, now: datetime, data: dict[str, Any] | None = None) -> str:
    """A new draft (empty, or holding ``data``); returns the handle to keep in the claimant's session."""
    session.execute(delete(ClaimDraft).where(ClaimDraft.expires_at < now))
    return _insert(session, data or {}, now)


def _insert(session: Session, data: dict[str, Any], now: datetime) -> str:
    draft_id = secrets.token_urlsafe(32)
    key = AESGCM.generate_key(bit_length=256)
    session.add(
        ClaimDraft(
            id=draft_id,
            payload=_seal(draft_id, key, data),
            created_at=now,
            expires_at=now + timedelta(minutes=DRAFT_MINUTES),
        )
    )
    return f"{draft_id}.{_encode(key)}"


def _live(session: Session, handle: str | None, now: datetime) -> tuple[str, bytes, ClaimDraft] | None:
    """The unexpired draft row ``handle`` names, with the handle's key; None for no such draft."""
    parts = _split(handle)
    if parts is None:
        return None
    draft_id, key = parts
    row = session.get(ClaimDraft, draft_id)
    if row is None or row.expires_at <= now:
        return None
    return draft_id, key, row


def load(session: Session, handle: str | None, now: datetime) -> dict[str, Any] | None:
    """The answers so far, or None for no, an expired or a tampered draft."""
    live = _live(session, handle, now)
    if live is None:
        return None
    draft_id, key, row = live
    return _open(draft_id, key, row.payload)


def save(session: Session, handle: str, data: dict[str, Any], now: datetime) -> str | None:
    """Replace the answers under a new handle (fresh id and key) and extend the expiry.

    Returns the new handle to keep in the session; the old one opens nothing
    any more (its row is deleted). None when the draft is gone or expired.
    """
    live = _live(session, handle, now)
    if live is None:
        return None
    session.delete(live[2])
    return _insert(session, data, now)


def discard(session: Session, handle: str | None) -> None:
    """Delete the draft (after submitting, or when the claimant starts over)."""
    parts = _split(handle)
    if parts is not None:
        session.execute(delete(ClaimDraft).where(ClaimDraft.id == parts[0]))
