"""Bearer-token authentication for the JSON APIs.

Tokens are random and stored only as a SHA-256 hash (recovery/tokens.py).
A missing or unknown token is 401; a token without the needed role or scope is 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, request
from sqlalchemy import select

from recovery.api.errors import ApiError
from recovery.extensions import db
from recovery.models import ApiClient, ApiRole
from recovery.tokens import token_hash

BEARER_SCHEME = "bearerAuth"


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def current_client() -> ApiClient:
    """The API client authenticated for this request (inside ``token_required`` views)."""
    return g.api_client


def authenticate() -> ApiClient:
    """Resolve the request's bearer token to an enabled client or raise 401."""
    token = _bearer_token()
    client = None
    if token is not None and len(token) <= 200:
        client = db.session.scalar(
            select(ApiClient).where(ApiClient.token_hash == token_hash(token), ApiClient.is_enabled.is_(True))
        )
    if client is None:
        raise ApiError(
            401,
            "UNAUTHENTICATED",
            "Request not authenticated due to missing, invalid, or expired credentials.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return client


def token_required(role: ApiRole, *scopes: str) -> Callable:
    """Require a bearer token of ``role`` holding every scope in ``scopes``."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            client = authenticate()
            if client.role != role or not set(scopes) <= client.scope_set:
                raise ApiError(
                    403,
                    "PERMISSION_DENIED",
                    "Client does not have sufficient permissions to perform this action.",
                )
            g.api_client = client
            return view(*args, **kwargs)

        return wrapped

    return decorator
