"""The CAMARA partner APIs as a partner calls them, and what their answers must look like."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from recovery.models import Sim, SimStatus, Subscriber
from tests.helpers.people import iccid

CORRELATOR = "b4333c46-49c0-4f62-80d7-f0ef930f1c46"
UNKNOWN_NUMBER = "+79990000000"
_DEFAULT = object()


class CamaraCaller:
    """Posts JSON to a CAMARA path with a partner token and an x-correlator, as a partner would."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client = client
        self.token = token

    def post(
        self,
        path: str,
        body: Any = _DEFAULT,
        *,
        token: str | object | None = _DEFAULT,
        correlator: str | None = CORRELATOR,
        **kwargs: Any,
    ) -> TestResponse:
        """POST ``body`` as JSON (``_DEFAULT`` body: none at all); ``token=None`` sends no Authorization."""
        headers = dict(kwargs.pop("headers", {}))
        token = self.token if token is _DEFAULT else token
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if correlator is not None:
            headers["x-correlator"] = correlator
        if body is not _DEFAULT:
            kwargs["json"] = body
        return self.client.post(path, headers=headers, **kwargs)


def hours_ago(hours: float) -> datetime:
    """An instant ``hours`` before the real now (the views use the real clock)."""
    return datetime.now(UTC) - timedelta(hours=hours)


def reissue(session: Session, subscriber: Subscriber, at: datetime) -> None:
    """Move the number to a new SIM at ``at``, as a fulfilled reissue does."""
    old = subscriber.current_sim
    assert old is not None
    old.status = SimStatus.RETIRED
    old.retired_at = at
    session.flush()
    subscriber.sims.append(Sim(iccid=iccid(), status=SimStatus.ACTIVE, activated_at=at))
    session.commit()


def assert_error(response: TestResponse, status: int, code: str) -> None:
    """A CAMARA ErrorInfo with this status and code, a readable message and the echoed x-correlator."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/json"
    body = response.get_json()
    assert body["status"] == status
    assert body["code"] == code
    assert isinstance(body["message"], str) and len(body["message"]) > 10
    assert response.headers.get("x-correlator") == CORRELATOR


#: Unmodified copies of the published CAMARA definitions (their README says which).
PUBLISHED = Path(__file__).resolve().parents[1] / "integration" / "camara" / "published"


@cache
def _published(document: str) -> dict[str, Any]:
    return yaml.safe_load((PUBLISHED / document).read_text(encoding="utf-8"))


def published_schema(document: str, schema: dict[str, Any]) -> jsonschema_rs.Draft4Validator:
    """A validator of ``schema`` (e.g. a ``$ref`` into the document) with ``document``'s components."""
    components = _published(document)["components"]
    return jsonschema_rs.Draft4Validator({**schema, "components": components}, validate_formats=True)


def assert_published_answer(document: str, response: TestResponse, component: str | None = None) -> Any:
    """The answer complies with the published yaml: the 200 body with ``component``, an error
    with the document's ``Generic<status>`` response schema (where it documents that status)."""
    body = response.get_json()
    if response.status_code == 200:
        assert component is not None
        schema: dict[str, Any] = {"$ref": f"#/components/schemas/{component}"}
    else:
        generic = _published(document)["components"]["responses"].get(f"Generic{response.status_code}")
        if generic is None:
            return body
        schema = generic["content"]["application/json"]["schema"]
    published_schema(document, schema).validate(body)
    return body
