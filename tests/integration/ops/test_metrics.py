"""``/metrics``: scraped after a claim and a partner look-up, parsed with prometheus_client's parser."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from recovery.observability.metrics import multiprocess_dir
from tests.integration.security.cast import api_claim, make_cast


def scrape(client, **kwargs) -> dict[tuple[str, tuple], float]:
    """Every sample of a scrape, by name and sorted labels."""
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture(autouse=True)
def _one_process():
    assert not multiprocess_dir(), "these tests read this process's registry"


def test_a_claim_shows_in_the_counters(app, session):
    cast = make_cast(app, session, app.config["PII_KEY"])
    scraper = app.test_client()
    before = scrape(scraper)
    response = app.test_client().post("/api/v1/claims", json=api_claim(), headers=cast.bearer("agent"))
    assert response.status_code == 201 and response.get_json()["outcome"] == "reissue"
    after = scrape(scraper)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("recovery_claims_total", channel="api", outcome="reissue") == 1
    assert delta("recovery_claims_total", channel="api", outcome="rejected") == 0
    request = {"endpoint": "claims_api.create_claim", "status": "201"}
    assert delta("recovery_http_requests_total", **request, method="POST") == 1
    assert delta("recovery_http_request_duration_seconds_count", **request) == 1
    assert delta("recovery_http_request_duration_seconds_bucket", **request, le="+Inf") == 1
    # The reissue queued an e-mail: the outbox is one deeper, read at scrape time.
    assert value(after, "recovery_outbox_depth", outbox="notifications") == 1
    assert value(before, "recovery_outbox_depth", outbox="notifications") == 0
    assert value(after, "recovery_db_pool_connections_in_use") >= 0


def test_a_rejected_claim_and_a_partner_lookup_are_counted_by_result(app, session):
    cast = make_cast(app, session, app.config["PII_KEY"])
    scraper = app.test_client()
    before = scrape(scraper)
    rejected = app.test_client().post(
        "/api/v1/claims", json=api_claim(passport="4509 000000"), headers=cast.bearer("agent")
    )
    assert rejected.get_json()["outcome"] == "rejected"
    swap = app.test_client().post(
        "/camara/sim-swap/v2/check",
        json={"phoneNumber": "+79161234567", "maxAge": 72},
        headers=cast.bearer("partner"),
    )
    assert swap.status_code == 200, swap.get_json()
    after = scrape(scraper)
    assert (
        value(after, "recovery_claims_total", channel="api", outcome="rejected")
        - value(before, "recovery_claims_total", channel="api", outcome="rejected")
        == 1
    )
    swapped = str(swap.get_json()["swapped"]).lower()
    lookups = ("recovery_partner_lookups_total", {"api": "sim_swap_check", "result": swapped})
    assert value(after, lookups[0], **lookups[1]) - value(before, lookups[0], **lookups[1]) == 1


@pytest.mark.parametrize(
    ("networks", "remote", "headers", "status"),
    [
        ("127.0.0.1/32,::1/128", "127.0.0.1", {}, 200),
        ("10.0.0.0/8", "127.0.0.1", {}, 404),
        ("10.0.0.0/8", "10.20.30.40", {}, 200),
        ("10.0.0.0/8", "192.0.2.1", {"Authorization": "Bearer scrape-token-0123456789"}, 200),
        ("10.0.0.0/8", "192.0.2.1", {"Authorization": "Bearer wrong-token"}, 404),
        ("", "127.0.0.1", {}, 404),
    ],
)
def test_metrics_are_only_for_the_allowed_networks_or_the_token(app, networks, remote, headers, status):
    app.config["METRICS_ALLOWED_NETWORKS"] = networks
    app.config["METRICS_TOKEN"] = "scrape-token-0123456789"
    response = app.test_client().get("/metrics", headers=headers, environ_base={"REMOTE_ADDR": remote})
    assert response.status_code == status
    if status == 404:
        assert b"recovery_" not in response.data
