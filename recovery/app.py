"""The application factory: configuration, extensions, blueprints, error handlers, commands."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from flask import Flask
from flask_babel import get_locale

from recovery.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate
from recovery.formatting import register_formatting
from recovery.i18n import select_locale

PROJECT_DIR = Path(__file__).resolve().parent.parent

#: Feature blueprints, each ``recovery/<name>/`` exposing ``bp``.
BLUEPRINTS: tuple[str, ...] = (
    "main",
    "apidocs",
    "account",
    "support",
    "staff",
    "lost",
    "agent",
    "office",
    "supervisor",
    "network.pages",
)


def create_app(config: object) -> Flask:
    """Build the application from a configuration object (see ``config.py``)."""
    app = Flask(
        "recovery",  # the package name: logger name and root path unchanged
        template_folder=str(PROJECT_DIR / "templates"),
        static_folder=str(PROJECT_DIR / "static"),
        instance_path=str(PROJECT_DIR / "instance"),
    )
    app.config.from_object(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_DIR / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    bootstrap.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    register_formatting(app)

    from recovery import auth, models  # noqa: F401  (register the tables and user loaders)
    from recovery.errors import register_error_handlers
    from recovery.observability import init_observability
    from recovery.replica import init_replica
    from recovery.security import init_security

    init_security(app)
    register_error_handlers(app)
    init_observability(app)
    init_replica(app)

    for name in app.config.get("BLUEPRINTS", BLUEPRINTS):
        module = import_module(f"recovery.{name}")
        app.register_blueprint(module.bp)
    if app.config.get("DEV_PAGES"):
        import_module("recovery.dev").register(app)

    @app.context_processor
    def inject_locale() -> dict[str, object]:
        return {"current_locale": lambda: str(get_locale())}

    from recovery.api import init_api

    init_api(app)

    from recovery.cli import register_commands

    register_commands(app)
    from recovery.delivery.commands import smpp_receipts_command

    app.cli.add_command(smpp_receipts_command)
    from recovery.delivery.retention import prune_outbox_command

    app.cli.add_command(prune_outbox_command)
    return app
