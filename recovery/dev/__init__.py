"""Pages for a developer working locally: the SMS outbox at ``/dev/sms``.

Registered only when the config sets ``DEV_PAGES`` (development and testing);
production never has these routes. The captcha-answer hook for browser tests
is registered only when the app is testing.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("dev", __name__, url_prefix="/dev")
testing_bp = Blueprint("dev_testing", __name__, url_prefix="/dev")


def register(app: Flask) -> None:
    """Add the developer pages to ``app`` (and the test hooks when it is testing)."""
    app.register_blueprint(bp)
    if app.testing:
        app.register_blueprint(testing_bp)


from recovery.dev import routes  # noqa: E402,F401
