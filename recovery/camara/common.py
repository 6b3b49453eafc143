"""What every CAMARA API here shares: identifiers, x-correlator, errors, limits, audit.

Partner tokens are two-legged (client credentials): a token names a bank or a
marketplace, never one subscriber. So, as CAMARA requires for two-legged
tokens, the request body must name the ``phoneNumber``; without it the answer
is ``422 MISSING_IDENTIFIER``. (``INVALID_TOKEN_CONTEXT`` and
``UNNECESSARY_IDENTIFIER`` need three-legged tokens and never arise.)
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from typing import Any

import marshmallow as ma
from flask import Response, current_app, request
from flask_smorest import Blueprint

from recovery import audit, clock, replica
from recovery.api.auth import current_client, token_required
from recovery.api.errors import ApiError, json_object_body
from recovery.camara import budget, services
from recovery.extensions import db
from recovery.models import ApiRole, Channel, Subscriber
from recovery.security.ratelimit import api_client_key, api_limits, limit_submissions

#: CAMARA's PhoneNumber: E.164 with the leading ``+``.
PHONE_NUMBER_PATTERN = r"^\+[1-9][0-9]{4,14}$"
#: CAMARA's XCorrelator (Commonalities 0.6).
X_CORRELATOR_PATTERN = r"^[a-zA-Z0-9-_:;.\/<>{}]{0,256}$"
X_CORRELATOR = "x-correlator"
_X_CORRELATOR_RE = re.compile(X_CORRELATOR_PATTERN)

#: Requests per partner token; a config value ``PARTNER_RATE_LIMIT`` overrides it.
DEFAULT_PARTNER_RATE_LIMIT = "60/minute"

# CAMARA error codes beyond the shell's defaults (recovery/api/errors.py).
IDENTIFIER_NOT_FOUND = "IDENTIFIER_NOT_FOUND"
MISSING_IDENTIFIER = "MISSING_IDENTIFIER"
OUT_OF_RANGE = "OUT_OF_RANGE"
INVALID_ARGUMENT = "INVALID_ARGUMENT"


class FullMatch(ma.validate.Regexp):
    """A pattern that must match the whole value.

    ``re.match`` lets ``$`` match before a trailing newline, so
    ``"+79161234567\\n"`` would pass the plain validator; the document keeps
    the CAMARA pattern, the check is made with ``fullmatch``.
    """

    def __call__(self, value: str) -> str:
        if self.regex.fullmatch(value) is None:
            raise ma.ValidationError(self._format_error(value))
        return value


def phone_number_field(**kwargs: Any) -> ma.fields.String:
    """CAMARA's optional ``phoneNumber`` property."""
    return ma.fields.String(
        validate=FullMatch(PHONE_NUMBER_PATTERN, error="phoneNumber must be E.164 with a leading '+'."),
        metadata={
            "description": "The subscriber's number in E.164 with the leading '+'. "
            "Required with our (two-legged) partner tokens.",
            "example": "+79161234567",
        },
        **kwargs,
    )


class XCorrelatorHeader(ma.Schema):
    """The optional ``x-correlator`` request header, echoed on every response."""

    class Meta:
        unknown = ma.EXCLUDE

    x_correlator = ma.fields.String(
        data_key=X_CORRELATOR,
        validate=FullMatch(X_CORRELATOR_PATTERN, error="x-correlator does not match its pattern."),
        metadata={
            "description": "Correlation id chosen by the caller; echoed in the response header.",
            "example": "b4333c46-49c0-4f62-80d7-f0ef930f1c46",
        },
    )


X_CORRELATOR_RESPONSE_HEADER = {
    X_CORRELATOR: {
        "description": "The request's x-correlator, echoed when it was given and valid.",
        "schema": {"type": "string", "pattern": X_CORRELATOR_PATTERN},
    }
}


def echo_correlator(response: Response) -> Response:
    """Return the caller's ``x-correlator`` on success and on errors alike.

    A value that breaks the pattern is not echoed: it was refused with 400,
    and reflecting arbitrary header text back is how response splitting starts.
    """
    value = request.headers.get(X_CORRELATOR)
    if value is not None and _X_CORRELATOR_RE.fullmatch(value):
        response.headers[X_CORRELATOR] = value
    return response


class CamaraBlueprint(Blueprint):
    """A flask-smorest blueprint for one CAMARA API: echoes ``x-correlator`` on every answer.

    ``schema_rules`` adds to the document the schema-level rules marshmallow
    cannot express (``minProperties``); the views enforce them.
    """

    def __init__(self, *args: Any, schema_rules: dict[str, dict[str, Any]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.schema_rules = schema_rules or {}
        self.after_request(echo_correlator)

    def register_views_in_doc(self, api: Any, app: Any, spec: Any, *, name: str, parameters: Any) -> None:
        """Document the views, then the extra schema rules."""
        super().register_views_in_doc(api, app, spec, name=name, parameters=parameters)
        for schema_name, rules in self.schema_rules.items():
            spec.components.schemas[schema_name].update(rules)


def camara_blueprint(
    name: str,
    import_name: str,
    url_prefix: str,
    description: str,
    schema_rules: dict[str, dict[str, Any]] | None = None,
) -> CamaraBlueprint:
    """A blueprint for one CAMARA API, under the per-client and per-address API ceilings."""
    return api_limits(
        CamaraBlueprint(
            name, import_name, url_prefix=url_prefix, description=description, schema_rules=schema_rules
        )
    )


def _partner_rate_limit() -> str:
    return current_app.config.get("PARTNER_RATE_LIMIT", DEFAULT_PARTNER_RATE_LIMIT)


#: Per-client limit on partner calls (429 TOO_MANY_REQUESTS): one bucket per client, whichever of
#: its tokens is used (the security package's ``api_client_key`` resolves the token before the view
#: runs; unknown tokens are counted per address and then get a 401), shared by every CAMARA
#: operation, so a client cannot multiply its quota by switching APIs or tokens.
partner_rate_limit = limit_submissions(_partner_rate_limit, key=api_client_key, scope="camara")


def partner_operation(blueprint: Blueprint, scope: str) -> Callable:
    """What every partner operation starts with, outermost first: the partner rate limit, a
    partner token with ``scope``, a JSON object body and the ``x-correlator`` header."""

    def decorator(view: Callable) -> Callable:
        view = blueprint.arguments(XCorrelatorHeader, location="headers", arg_name="headers")(view)
        view = json_object_body(view)
        view = token_required(ApiRole.PARTNER, scope)(view)
        return partner_rate_limit(view)

    return decorator


def error_examples(*errors: tuple[int, str, str]) -> dict[int, dict[str, Any]]:
    """OpenAPI examples per status from ``(status, code, message)`` triples."""
    by_status: dict[int, dict[str, Any]] = {}
    for status, code, message in errors:
        by_status.setdefault(status, {})[code] = {
            "value": {"status": status, "code": code, "message": message}
        }
    return by_status


def document_errors(blueprint: Blueprint, errors: Iterable[tuple[int, str, str]]) -> Callable:
    """Document each error status with the ErrorInfo shape, its codes and the echoed header."""
    by_status = error_examples(*errors)

    def decorator(view: Callable) -> Callable:
        for status, examples in sorted(by_status.items(), reverse=True):
            view = blueprint.alt_response(
                status,
                schema="ErrorInfo",
                description=f"Error; code one of: {', '.join(examples)}.",
                examples=examples,
                headers=X_CORRELATOR_RESPONSE_HEADER,
            )(view)
        return view

    return decorator


#: Errors every partner operation may answer.
COMMON_ERRORS: tuple[tuple[int, str, str], ...] = (
    (400, INVALID_ARGUMENT, "Client specified an invalid argument, request body or query param."),
    (
        401,
        "UNAUTHENTICATED",
        "Request not authenticated due to missing, invalid, or expired credentials.",
    ),
    (403, "PERMISSION_DENIED", "Client does not have sufficient permissions to perform this action."),
    (404, IDENTIFIER_NOT_FOUND, "The phone number provided is not associated with a customer account."),
    (422, MISSING_IDENTIFIER, "No phone number has been provided."),
    (429, "TOO_MANY_REQUESTS", "Too many requests; retry later."),
)


def missing_identifier() -> ApiError:
    """422: a two-legged token and no ``phoneNumber``."""
    return ApiError(422, MISSING_IDENTIFIER, "No phone number has been provided.")


def identifier_not_found() -> ApiError:
    """404: the number is not one of our subscribers."""
    return ApiError(
        404, IDENTIFIER_NOT_FOUND, "The phone number provided is not associated with a customer account."
    )


def spend_number_budget(action: str, phone_number: str, *, id_document: bool = False) -> None:
    """Spend one look-up of the number from its budget across all partners, or answer 429.

    Called before the number is looked up, so a number that is not ours spends
    as one of ours does (``camara.budget``). The refusal is audited and
    committed: the error handler's rollback must not lose it.
    """
    try:
        budget.spend(
            db.session,
            phone_number,
            id_document=id_document,
            now=clock.now(),
            limits=budget.BudgetLimits.from_config(current_app.config),
        )
    except budget.NumberBudgetExhausted as spent:
        db.session.rollback()
        audit_lookup(action, phone_number, result="number_budget_exhausted")
        db.session.commit()
        headers = {}
        if spent.retry_at is not None:
            headers["Retry-After"] = str(max(1, math.ceil((spent.retry_at - clock.now()).total_seconds())))
        raise ApiError(
            429,
            "TOO_MANY_REQUESTS",
            "Too many look-ups of this phone number; retry later.",
            headers=headers,
        ) from None


def audit_lookup(action: str, phone_number: str, **details: object) -> None:
    """Audit one partner lookup (who asked about which number, what and the result; never values)."""
    client = current_client()
    audit.record(
        db.session,
        actor=f"api:{client.name}",
        action=action,
        channel=Channel.API,
        subject=phone_number,
        ip=request.remote_addr,
        client_id=client.id,
        **details,
    )


def lookup_subscriber(
    action: str, phone_number: str | None, *, id_document: bool = False, **details: object
) -> Subscriber:
    """The subscriber of the body's ``phoneNumber``, or the CAMARA error.

    The budget is spent before the look-up, so that an unknown number spends
    as one of ours does (``camara.budget``); a number that is not ours is
    audited (with ``details``), committed and answered 404. The look-up reads
    the replica where one is configured and fit (``recovery.replica``); the
    budget and the audit are written to the primary.
    """
    if phone_number is None:
        raise missing_identifier()
    spend_number_budget(action, phone_number, id_document=id_document)
    try:
        return replica.read_only(lambda session: services.find_subscriber(session, phone_number))
    except services.IdentifierNotFound:
        audit_lookup(action, phone_number, **details, result="not_found")
        db.session.commit()
        raise identifier_not_found() from None
