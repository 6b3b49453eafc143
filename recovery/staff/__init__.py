"""Staff sign-in and sign-out (``/staff/login``, ``/staff/logout``)."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

from recovery.staff import routes  # noqa: E402,F401
