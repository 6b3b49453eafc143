"""Shared security infrastructure: rate limits, errors, headers, sessions, PII encryption.

``init_security(app)`` wires it into an app (``create_app`` calls it); the
features use ``recovery.security.ratelimit`` decorators and, for JSON errors,
``recovery.errors.json_error``. docs/SECURITY.md explains the threats each
piece answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the package import stays Flask-free (tokens, passwords, safe_redirect)
    from flask import Flask


def init_security(app: Flask) -> None:
    """Install the security hooks, the PII keyring and the security commands on ``app``.

    Call after the extensions are bound (it needs the database engines).
    """
    from werkzeug.middleware.proxy_fix import ProxyFix

    from recovery.extensions import db
    from recovery.security.audit_guard import install_audit_guard
    from recovery.security.cli import rotate_keys_command
    from recovery.security.crypto import APP_EXTENSION, PiiKeyring, bind_keyring
    from recovery.security.headers import add_security_headers
    from recovery.security.inputs import BoundedJSONProvider, install_input_guards
    from recovery.security.logs import hide_result_rows
    from recovery.security.sessions import expire_staff_sessions, protect_csrf

    hops = app.config.get("PROXY_FIX_X_FOR", 0)
    if hops:
        # Only as many X-Forwarded-* hops as there are proxies of ours: a client
        # could otherwise pick its own address and dodge every per-IP limit.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    app.json = BoundedJSONProvider(app)

    keyring = PiiKeyring.from_config(app.config)
    app.extensions[APP_EXTENSION] = keyring
    with app.app_context():
        for engine in db.engines.values():
            bind_keyring(engine, keyring)
    install_audit_guard()
    hide_result_rows()

    # Our hook runs Flask-WTF's check, minus the token-only APIs (sessions.protect_csrf).
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    install_input_guards(app)
    app.before_request(protect_csrf)
    app.before_request(expire_staff_sessions)
    app.after_request(add_security_headers)
    app.cli.add_command(rotate_keys_command)
