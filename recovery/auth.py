"""Who is logged in: staff and account holders share Flask-Login.

Session ids are prefixed by kind (``staff:12``, ``account:34``) so that a staff
member's id can never be read as a subscriber's. Each kind registers a loader.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from recovery.extensions import db, login_manager
from recovery.models import StaffRole, StaffUser

UserLoader = Callable[[int], Any]
USER_LOADERS: dict[str, UserLoader] = {}


def register_user_loader(kind: str, loader: UserLoader) -> None:
    """Let ``kind:<id>`` session ids be loaded by ``loader``."""
    USER_LOADERS[kind] = loader


def _load_staff(user_id: int) -> StaffUser | None:
    user = db.session.get(StaffUser, user_id)
    return user if user is not None and user.is_enabled else None


register_user_loader("staff", _load_staff)


@login_manager.user_loader
def load_user(session_id: str) -> Any:
    """Resolve a session id to a user, or None (logged out)."""
    kind, _, raw = session_id.partition(":")
    loader = USER_LOADERS.get(kind)
    if loader is None or not raw.isdigit():
        return None
    return loader(int(raw))


def staff_required(*roles: StaffRole) -> Callable:
    """Require a logged-in staff member with one of ``roles`` (any role if none given)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not isinstance(current_user._get_current_object(), StaffUser):
                abort(403)
            if roles and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
