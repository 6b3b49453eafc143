"""The JSON APIs: ``/api/v1`` (agents, offices) and ``/camara`` (partners).

One flask-smorest ``Api`` builds a single OpenAPI 3 document, served at
``/api/v1/openapi.json``, from the marshmallow schemas the views validate with.
Each API module exposes a flask-smorest ``blp`` and is listed in ``API_MODULES``.
"""

from __future__ import annotations

from importlib import import_module

import marshmallow as ma
from flask import Flask
from flask_smorest import Api

from recovery.api.auth import BEARER_SCHEME
from recovery.extensions import csrf

#: Modules exposing a flask-smorest Blueprint ``blp``.
API_MODULES: tuple[str, ...] = (
    "recovery.camara.kyc_match",
    "recovery.camara.sim_swap",
    "recovery.camara.sim_swap_subscriptions",
    "recovery.api.claims",
)


class ErrorInfo(ma.Schema):
    """The error body of every API response with a 4xx or 5xx status."""

    status = ma.fields.Integer(required=True, metadata={"description": "HTTP status code"})
    code = ma.fields.String(required=True, metadata={"description": "Machine-readable error code"})
    message = ma.fields.String(required=True, metadata={"description": "Human-readable explanation"})


class RecoveryApi(Api):
    """flask-smorest's Api with our error shape and no error handler of its own.

    flask-smorest would turn every HTTP error of the whole site into JSON; the
    web pages keep their HTML error pages, so ``recovery.errors`` answers both
    (JSON on API paths).
    """

    ERROR_SCHEMA = ErrorInfo

    def _register_error_handlers(self) -> None:
        """Errors are registered by ``init_api`` for API paths only."""


API_SETTINGS = {
    "API_TITLE": "Lost-SIM recovery API",
    "API_VERSION": "1.0.0",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
}


def init_api(app: Flask) -> RecoveryApi:
    """Build the API of ``app``: its blueprints, document and JSON error handling.

    Each app gets its own ``Api`` (and so its own OpenAPI document): the test
    suite builds many apps in one process.
    """
    for key, value in API_SETTINGS.items():
        app.config.setdefault(key, value)
    api = RecoveryApi()
    api.init_app(
        app,
        spec_kwargs={
            "info": {
                "description": "Claims and tickets for call-centre and office software (/api/v1); "
                "CAMARA KYC Match and SIM Swap for partners (/camara). "
                "No text value may contain the NUL character (U+0000): such a request is "
                "400 INVALID_ARGUMENT."
            }
        },
    )
    api.spec.components.security_scheme(BEARER_SCHEME, {"type": "http", "scheme": "bearer"})
    for name in API_MODULES:
        blueprint = import_module(name).blp
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)

    return api
