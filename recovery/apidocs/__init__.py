"""The human-readable API reference at ``/api/v1/docs``, rendered on the server."""

from flask import Blueprint

bp = Blueprint("apidocs", __name__)

from recovery.apidocs import routes  # noqa: E402,F401
