"""Bearer-token authentication for the JSON APIs.

Tokens are random and stored only as a SHA-256 hash (recovery/security/tokens.py); a
client may hold several (``api_tokens``). A missing, unknown or revoked token
is 401; a token without the needed role or scope is 403.

The token is resolved once per request (:func:`request_client`, cached on
``g``): the rate limiter's key functions run before the view and count the
*client*, and ``token_required`` reuses the same answer.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from functools import wraps
from typing import Any

from flask import g, request
from sqlalchemy import select

from recovery.api.errors import ApiError
from recovery.extensions import db
from recovery.models import ApiClient, ApiRole, ApiToken
from recovery.security.tokens import token_hash

BEARER_SCHEME = "bearerAuth"
#: OpenAPI extension naming the client role and scopes an operation needs.
CLIENT_EXTENSION = "x-api-client"
#: Longer "tokens" are not looked up (ours are 43 characters).
MAX_TOKEN_LENGTH = 200
_LOOKUP = "api_client_lookup"


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def current_client() -> ApiClient:
    """The API client authenticated for this request (inside ``token_required`` views)."""
    return g.api_client


def find_client(token: str) -> ApiClient | None:
    """The enabled client holding the unrevoked ``token``, or None."""
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    return db.session.scalar(
        select(ApiClient)
        .join(ApiToken, ApiToken.client_id == ApiClient.id)
        .where(
            ApiToken.token_hash == token_hash(token),
            ApiToken.revoked_at.is_(None),
            ApiClient.is_enabled.is_(True),
        )
    )


def request_client() -> ApiClient | None:
    """The client of the request's bearer token, looked up at most once per request."""
    if _LOOKUP not in g:
        token = _bearer_token()
        setattr(g, _LOOKUP, find_client(token) if token is not None else None)
    return getattr(g, _LOOKUP)


def authenticate() -> ApiClient:
    """Resolve the request's bearer token to an enabled client or raise 401."""
    client = request_client()
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

        # Document the requirement in the OpenAPI operation (flask-smorest reads ``_apidoc``):
        # the bearer scheme, and the role and scopes a token needs.
        wrapped._apidoc = deepcopy(getattr(wrapped, "_apidoc", {}))
        manual_doc = wrapped._apidoc.setdefault("manual_doc", {})
        manual_doc["security"] = [{BEARER_SCHEME: []}]
        manual_doc[CLIENT_EXTENSION] = {"role": role.value, "scopes": list(scopes)}
        return wrapped

    return decorator
