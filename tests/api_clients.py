"""API clients for tests: a saved client and its bearer token."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from recovery.models import ApiClient, ApiRole, ApiToken
from recovery.security.tokens import ROLE_SCOPES, new_token, token_hash

_serial = itertools.count(1)


def make_api_client(
    session: Session,
    role: ApiRole = ApiRole.PARTNER,
    scopes: tuple[str, ...] | None = None,
    *,
    name: str | None = None,
    region: str | None = None,
    enabled: bool = True,
) -> str:
    """Save an API client (all the role's scopes unless given) and return its bearer token."""
    token = new_token()
    client = ApiClient(
        name=name or f"{role.value}-{next(_serial)}",
        role=role,
        region=region,
        scopes=" ".join(ROLE_SCOPES[role.value] if scopes is None else scopes),
        is_enabled=enabled,
    )
    client.tokens.append(ApiToken(token_hash=token_hash(token)))
    session.add(client)
    session.commit()
    return token


def add_token(session: Session, existing_token: str) -> str:
    """Issue another token for the client holding ``existing_token``; return the new token."""
    from sqlalchemy import select

    holder = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(existing_token)))
    assert holder is not None, "no client holds that token"
    token = new_token()
    session.add(ApiToken(client_id=holder.client_id, token_hash=token_hash(token)))
    session.commit()
    return token
