"""The JSON APIs: ``/api/v1`` (agents, offices) and ``/camara`` (partners).

One flask-smorest ``Api`` builds a single OpenAPI 3 document, served at
``/api/v1/openapi.json``, from the marshmallow schemas the views validate with.
Each API module exposes a flask-smorest ``blp`` and is listed in ``API_MODULES``.
"""

from __future__ import annotations

import threading
from importlib import import_module
from typing import Any

import marshmallow as ma
from flask import Flask
from flask_smorest import Api
from flask_smorest.spec import openapi_cli

from recovery.api.auth import BEARER_SCHEME
from recovery.extensions import csrf

#: Modules exposing a flask-smorest Blueprint ``blp``.
API_MODULES: tuple[str, ...] = (
    "recovery.camara.kyc_match",
    "recovery.camara.sim_swap",
    "recovery.camara.recycling",
    "recovery.camara.tenure",
    "recovery.camara.sim_swap_subscriptions",
    "recovery.api.claims",
)


class ErrorInfo(ma.Schema):
    """The error body of every API response with a 4xx or 5xx status."""

    status = ma.fields.Integer(required=True, metadata={"description": "HTTP status code"})
    code = ma.fields.String(required=True, metadata={"description": "Machine-readable error code"})
    message = ma.fields.String(required=True, metadata={"description": "Human-readable explanation"})


class RecoveryApi(Api):
    """flask-smorest's Api with our error shape, no error handler of its own and a lazy document.

    flask-smorest would turn every HTTP error of the whole site into JSON; the
    web pages keep their HTML error pages, so ``recovery.errors`` answers both
    (JSON on API paths).

    The OpenAPI document is written on first use (``/api/v1/openapi.json``, the
    reference page, ``flask openapi``), not when the app is made: writing it
    walks every schema and took two thirds of ``create_app``, which a worker
    pays at start and the test suite for every app it makes. Routes are
    registered at once; only their documentation waits.
    """

    ERROR_SCHEMA = ErrorInfo

    _document: Any = None
    _spec_options: dict[str, Any] | None = None
    _written = False
    _writing = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._spec_lock = threading.RLock()
        self._undocumented: list[tuple[Any, str, Any]] = []
        super().__init__(*args, **kwargs)

    @property
    def spec(self) -> Any:
        """The OpenAPI document (an ``APISpec``), written on first access, once per app."""
        if not self._written and self._spec_options is not None:
            with self._spec_lock:
                if not self._written and not self._writing:
                    self._write_document()
        return self._document

    @spec.setter
    def spec(self, value: Any) -> None:
        self._document = value

    def _init_spec(self, **options: Any) -> None:
        """Keep the options for the first access; the CLI command is needed at once."""
        self._spec_options = options
        self._app.cli.add_command(openapi_cli)

    def _write_document(self) -> None:
        self._writing = True  # the flask-smorest code below reads ``self.spec`` while it works
        try:
            super()._init_spec(**self._spec_options)
            self._document.components.security_scheme(BEARER_SCHEME, {"type": "http", "scheme": "bearer"})
            for blueprint, name, parameters in self._undocumented:
                self._document_blueprint(blueprint, name, parameters)
            self._undocumented.clear()
            self._written = True
        finally:
            self._writing = False

    def _document_blueprint(self, blueprint: Any, name: str, parameters: Any) -> None:
        """What flask-smorest's ``register_blueprint`` does for the document."""
        blueprint.register_views_in_doc(self, self._app, self._document, name=name, parameters=parameters)
        self._document.tag({"name": name, "description": blueprint.description})

    def register_blueprint(self, blp: Any, *, parameters: Any = None, **options: Any) -> None:
        """Register ``blp``'s routes now and its documentation with the document."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        with self._spec_lock:
            if self._written:
                self._document_blueprint(blp, name, parameters)
            else:
                self._undocumented.append((blp, name, parameters))

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
                "CAMARA KYC Match, SIM Swap, Number Recycling and KYC Tenure for partners (/camara). "
                "No text value may contain the NUL character (U+0000): such a request is "
                "400 INVALID_ARGUMENT."
            }
        },
    )
    for name in API_MODULES:
        blueprint = import_module(name).blp
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)

    return api
