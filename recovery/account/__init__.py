"""The personal account («личный кабинет») of a subscriber, at ``/account``."""

from __future__ import annotations

from flask import Blueprint

from recovery.auth import register_user_loader
from recovery.extensions import db
from recovery.models import Account

bp = Blueprint("account", __name__, url_prefix="/account")


def _load_account(account_id: int) -> Account | None:
    return db.session.get(Account, account_id)


register_user_loader("account", _load_account)

from recovery.account import (  # noqa: E402,F401
    chat_routes,
    code_routes,
    login_routes,
    routes,
    settings_routes,
    topup_routes,
)
