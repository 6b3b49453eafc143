"""Bearer-token authentication for the JSON APIs.

Tokens are random and stored only as a SHA-256 hash (recovery/security/tokens.py); a
client may hold several (``api_tokens``). A missing, unknown or revoked token
is 401; a token without the needed role or scope is 403.

The token is resolved once per request (:func:`request_client`, cached on
``g``): the rate limiter's key functions run before the view and count the
*client*, and ``token_required`` reuses the same answer.

Across requests each process keeps what a token resolved to for
``API_TOKEN_CACHE_SECONDS`` (:class:`TokenCache`), as plain values (an
:class:`AuthenticatedClient`, never a session's row), so a partner's look-up
does not pay a query for its token every time. Only tokens that resolved are
kept: an unknown token is asked about every time. The bound on revocation:
a token revoked, or a client disabled, by a flush of the ORM in this process
(``ApiToken.revoked_at``, ``ApiClient.is_enabled`` or any other change to
either, a deletion too) is forgotten at once by every cache of the process; a
change made elsewhere (another worker, another server, SQL by hand) is seen
within ``API_TOKEN_CACHE_SECONDS``. 0 turns the cache off.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from functools import wraps
from typing import Any, ClassVar

from flask import current_app, g, request
from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session

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
#: Where an app keeps its token cache (``app.extensions``).
CACHE_EXTENSION = "recovery.api_token_cache"
#: Seconds a resolved token is trusted without asking the database, when the config does not say.
DEFAULT_TOKEN_CACHE_SECONDS = 5.0
#: At most this many tokens are kept per process (a partner has a few; the cache empties when full).
MAX_CACHED_TOKENS = 10_000


@dataclass(frozen=True)
class AuthenticatedClient:
    """What a request needs of its API client, as plain values that outlive any session.

    The same attribute names as :class:`~recovery.models.ApiClient`, so views,
    audit and limits read it as they read the row.
    """

    id: int
    name: str
    role: ApiRole
    region: str | None
    scopes: str

    @property
    def scope_set(self) -> frozenset[str]:
        """The scopes granted, as a set."""
        return frozenset(self.scopes.split())


class TokenCache:
    """Token hash → (:class:`AuthenticatedClient`, monotonic expiry), one per app, for a few seconds.

    Every cache of the process is emptied when a flush changes or deletes an
    ``ApiToken`` or ``ApiClient`` (:func:`_forget_on_change`).
    """

    _all: ClassVar[weakref.WeakSet[TokenCache]] = weakref.WeakSet()

    def __init__(self) -> None:
        self._entries: dict[str, tuple[AuthenticatedClient, float]] = {}
        self._lock = threading.Lock()
        TokenCache._all.add(self)

    def get(self, digest: str) -> AuthenticatedClient | None:
        """The client cached for ``digest`` while it is fresh."""
        entry = self._entries.get(digest)
        if entry is None:
            return None
        client, expires = entry
        if time.monotonic() >= expires:
            self._entries.pop(digest, None)
            return None
        return client

    def put(self, digest: str, client: AuthenticatedClient, seconds: float) -> None:
        """Keep ``client`` for ``digest`` for ``seconds``."""
        with self._lock:
            if len(self._entries) >= MAX_CACHED_TOKENS:
                self._entries.clear()
            self._entries[digest] = (client, time.monotonic() + seconds)

    def clear(self) -> None:
        """Forget every token."""
        with self._lock:
            self._entries.clear()

    @classmethod
    def clear_all(cls) -> None:
        """Forget every token in every cache of the process."""
        for cache in list(cls._all):
            cache.clear()


def _forget_on_change(session: Session, _context: object) -> None:
    """``after_flush``: a token or client changed or deleted here empties the caches at once."""
    changed = (*session.dirty, *session.deleted)
    if any(isinstance(obj, ApiToken | ApiClient) for obj in changed):
        TokenCache.clear_all()


def _forget_on_bulk_change(state: ORMExecuteState) -> None:
    """``do_orm_execute``: so does an ORM ``update()`` or ``delete()`` of either table."""
    mapper = state.bind_mapper
    if (state.is_update or state.is_delete) and mapper is not None and mapper.class_ in (ApiToken, ApiClient):
        TokenCache.clear_all()


event.listen(Session, "after_flush", _forget_on_change)
event.listen(Session, "do_orm_execute", _forget_on_bulk_change)


def _token_cache() -> TokenCache:
    """The current app's token cache (made on first use)."""
    cache = current_app.extensions.get(CACHE_EXTENSION)
    if cache is None:
        cache = current_app.extensions.setdefault(CACHE_EXTENSION, TokenCache())
    return cache


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def current_client() -> AuthenticatedClient:
    """The API client authenticated for this request (inside ``token_required`` views)."""
    return g.api_client


def find_client(token: str) -> AuthenticatedClient | None:
    """The enabled client holding the unrevoked ``token``, or None.

    Asked of the process's token cache first (see the module's notes on the
    revocation bound); only a token that resolved is cached.
    """
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    digest = token_hash(token)
    seconds = float(current_app.config.get("API_TOKEN_CACHE_SECONDS", DEFAULT_TOKEN_CACHE_SECONDS))
    cache = _token_cache()
    if seconds > 0:
        cached = cache.get(digest)
        if cached is not None:
            return cached
    row = db.session.execute(
        select(ApiClient.id, ApiClient.name, ApiClient.role, ApiClient.region, ApiClient.scopes)
        .join(ApiToken, ApiToken.client_id == ApiClient.id)
        .where(
            ApiToken.token_hash == digest,
            ApiToken.revoked_at.is_(None),
            ApiClient.is_enabled.is_(True),
        )
    ).one_or_none()
    if row is None:
        return None
    client = AuthenticatedClient(
        id=row.id, name=row.name, role=row.role, region=row.region, scopes=row.scopes
    )
    if seconds > 0:
        cache.put(digest, client, seconds)
    return client


def request_client() -> AuthenticatedClient | None:
    """The client of the request's bearer token, looked up at most once per request."""
    if _LOOKUP not in g:
        token = _bearer_token()
        setattr(g, _LOOKUP, find_client(token) if token is not None else None)
    return getattr(g, _LOOKUP)


def authenticate() -> AuthenticatedClient:
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
