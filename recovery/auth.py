"""Who is logged in: staff and account holders share Flask-Login.

Session ids are prefixed by kind (``staff:12:0``, ``account:34:2``) so that a
staff member's id can never be read as a subscriber's. Each kind registers a
loader.

Sessions end on the server side. The session cookie is signed, not stored on
the server, so a copy of it (taken from a shared desk, a proxy log, a stolen
laptop) would otherwise stay good for as long as it is signed. The last part of
the session id is the user's ``session_version`` (Flask-Login's "alternative
token"): the loader refuses an id whose version is not the user's current one.
Raising the version (:func:`end_all_sessions`) therefore ends every session of
that user at once, on every device, and a remember-me cookie too, since it
carries the same id. It is raised on logout, on a password change or reset, on
a staff role change and when a staff account is disabled (the last three by
the attribute events below, whatever code path makes the change). Why this and
not a server-side session store: docs/SECURITY.md.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import event
from sqlalchemy.orm.attributes import NO_VALUE

from recovery.extensions import db, login_manager
from recovery.models import Account, StaffRole, StaffUser

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
    """Resolve a session id ``kind:id:version`` to a user, or None (logged out).

    An id without a version, or with another version than the user's current
    one (the user logged out, changed the password, …), is refused.
    """
    kind, _, rest = session_id.partition(":")
    raw, _, version = rest.partition(":")
    loader = USER_LOADERS.get(kind)
    if loader is None or not raw.isdigit() or not version.isdigit():
        return None
    user = loader(int(raw))
    if user is None or int(version) != (user.session_version or 0):
        return None
    return user


def end_all_sessions(user: Account | StaffUser) -> None:
    """End every session of ``user``: ids issued before no longer load. The caller commits.

    A request that should stay signed in afterwards logs the user in again
    (``login_user``), which issues an id with the new version.
    """
    user.session_version = (user.session_version or 0) + 1


def _ends_sessions_on_change(
    target: Account | StaffUser, value: object, old: object, _initiator: object
) -> None:
    # A value set on a new object (old is NO_VALUE) or set to what it was ends nothing.
    if old is not NO_VALUE and old is not None and value != old:
        end_all_sessions(target)


# A new password (changed or reset), another role or a disabled account: every
# session opened before must end, whichever code path makes the change.
for _attribute in (Account.password_hash, StaffUser.password_hash, StaffUser.role, StaffUser.is_enabled):
    event.listen(_attribute, "set", _ends_sessions_on_change, active_history=True)


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
