"""API clients for tests: a saved client and its bearer token."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from recovery.models import ApiClient, ApiRole
from recovery.tokens import ROLE_SCOPES, new_token, token_hash

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
    session.add(
        ApiClient(
            name=name or f"{role.value}-{next(_serial)}",
            role=role,
            region=region,
            token_hash=token_hash(token),
            scopes=" ".join(ROLE_SCOPES[role.value] if scopes is None else scopes),
            is_enabled=enabled,
        )
    )
    session.commit()
    return token
