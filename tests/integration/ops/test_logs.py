"""Structured logs: the request id (taken or made, always echoed), the access line's fields, JSON lines."""

from __future__ import annotations

import json
import logging
import re
import uuid

import pytest

from recovery.observability.logs import ACCESS_LOGGER, JsonFormatter
from tests.conftest import make_config
from tests.integration.security.cast import IVANOV, api_claim, make_cast

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("4bf92f3577b34da6a3ce929d0e0e4736", True),
        ("lb-2026-12-02T10:00:00.123", True),
        ("short", False),  # under 8 characters
        ("x" * 65, False),
        ("id with spaces and\ttabs", False),
        ("Иванов-Иван-Иванович", False),  # anything outside [A-Za-z0-9._:-] is not taken into the log
    ],
)
def test_the_request_id_is_taken_when_well_formed_and_made_otherwise(client, sent, kept):
    response = client.get("/healthz", headers={"X-Request-ID": sent})
    echoed = response.headers["X-Request-ID"]
    if kept:
        assert echoed == sent
    else:
        assert GENERATED.fullmatch(echoed)


def test_each_request_gets_its_own_id(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert GENERATED.fullmatch(first) and GENERATED.fullmatch(second) and first != second


def _access_lines(caplog) -> list[dict]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == ACCESS_LOGGER]


def test_the_access_line_names_the_route_status_duration_and_actor_never_the_path(app, session, caplog):
    cast = make_cast(app, session, app.config["PII_KEY"])
    claim_id = uuid.uuid4()
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    response = app.test_client().get(
        f"/api/v1/claims/{claim_id}", headers={**cast.bearer("agent"), "X-Request-ID": "req-0000-0001"}
    )
    assert response.status_code == 404

    (line,) = _access_lines(caplog)
    assert line["request_id"] == "req-0000-0001" == response.headers["X-Request-ID"]
    assert line["route"] == "/api/v1/claims/<claim_id>"
    assert line["status"] == 404 and line["method"] == "GET"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert re.fullmatch(r"api:\d+", line["actor"])
    assert str(claim_id) not in json.dumps(line, ensure_ascii=False)


def test_staff_and_anonymous_actors_are_a_kind_and_an_id(app, session, caplog):
    cast = make_cast(app, session, app.config["PII_KEY"])
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    assert cast.client("agent").get("/agent/").status_code == 200
    assert cast.client("anonymous").get("/").status_code == 200
    agent_line, anonymous_line = _access_lines(caplog)[-2:]
    assert agent_line["actor"] == f"staff:{cast.users['agent'].id}"
    assert agent_line["route"] == "/agent/"
    assert anonymous_line["actor"] == "anonymous"


def test_a_claims_json_log_holds_no_identity_data(app, session, caplog):
    """The API claim at DEBUG: no line, in either format, has the claimant's answers."""
    cast = make_cast(app, session, app.config["PII_KEY"])
    caplog.set_level(logging.DEBUG)
    response = app.test_client().post("/api/v1/claims", json=api_claim(), headers=cast.bearer("agent"))
    assert response.status_code == 201, response.get_json()

    lines = [JsonFormatter().format(record) for record in caplog.records]
    assert any(json.loads(line).get("route") == "/api/v1/claims" for line in lines)
    logged = "\n".join(lines)
    secrets = {IVANOV["passport"], IVANOV["address"], *IVANOV["full_name"].split(), IVANOV["msisdn"]}
    assert sorted(value for value in secrets if value in logged) == []


def test_json_format_writes_one_object_per_line_to_stderr(database_url, capsys, build_app):
    client = build_app(make_config(database_url, LOG_FORMAT="json")).test_client()
    response = client.get("/healthz", headers={"X-Request-ID": "probe-000000001"})
    assert response.status_code == 200
    err = capsys.readouterr().err
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == ACCESS_LOGGER]
    assert access, err
    assert access[-1]["request_id"] == "probe-000000001"
    assert access[-1]["route"] == "/healthz" and access[-1]["status"] == 200 and access[-1]["level"] == "INFO"
