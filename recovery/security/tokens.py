"""Bearer tokens for API clients: shown once, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32

ROLE_SCOPES: dict[str, tuple[str, ...]] = {
    "agent": ("claims:write", "claims:read", "tickets:read"),
    "office": ("tickets:read", "tickets:fulfil"),
    "partner": (
        "kyc-match:match",
        "sim-swap:retrieve-date",
        "sim-swap:check",
        "number-recycling:check",
        "kyc-tenure:check-tenure",
        "sim-swap-subscriptions:org.camaraproject.sim-swap-subscriptions.v0.swapped:create",
        "sim-swap-subscriptions:read",
        "sim-swap-subscriptions:delete",
    ),
}


def new_token() -> str:
    """A fresh random token (256 bits)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """SHA-256 of the token; tokens are random, so no salt or slow hash is needed."""
    return hashlib.sha256(token.encode()).hexdigest()
