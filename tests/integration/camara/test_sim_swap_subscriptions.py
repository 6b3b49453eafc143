"""CAMARA SIM Swap Subscriptions v0.3, from the published Gherkin scenarios (sim-swap-subscriptions.feature).

Every answer is checked against the published definition's schemas
(``tests/helpers/sinks.published``), and events are received by a real HTTP
sink on 127.0.0.1 after a real office hand-over, delivered by the worker.

Scenarios that do not arise here: creation_02 (async creation; ours is
synchronous, 201), retrieve_07/08 and creation_101 (three-legged tokens;
partner tokens are two-legged), creation_100 (every line is served: a number
that is not ours is accepted and never fires, so nobody learns it is not ours).
Scenario 25 lists ``config.subscriptionDetail.phoneNumber`` among the
properties whose absence is 400; the definition makes it optional
(CreateSubscriptionDetail) and scenario 102 answers its absence 422
MISSING_IDENTIFIER, which is what we do.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from recovery.models import (
    ApiRole,
    AuditEvent,
    Sim,
    SimStatus,
    SimSwapSubscription,
    StaffRole,
    SubscriptionEvent,
    SubscriptionEventState,
    SubscriptionState,
)
from recovery.network.worker import Worker
from tests.helpers.camara import CORRELATOR, UNKNOWN_NUMBER, assert_error
from tests.helpers.claims import open_reissue
from tests.helpers.databases import ON_POSTGRES
from tests.helpers.parallel import in_parallel
from tests.helpers.people import IVANOV, iccid, make_api_client, make_ivanov, make_staff
from tests.helpers.sinks import HANG, assert_published, running_sink
from tests.helpers.statements import captured_statements
from tests.helpers.web import bearer, csrf_token, login

BASE = "/camara/sim-swap-subscriptions/v0.3/subscriptions"
NUMBER = IVANOV["msisdn"]
SWAPPED = "org.camaraproject.sim-swap-subscriptions.v0.swapped"
ENDED = "org.camaraproject.sim-swap-subscriptions.v0.subscription-ended"
SINK = "https://sink.bank.example/events"
SUBSCRIPTION = "#/components/schemas/Subscription"
BAD_REQUEST = "#/components/responses/CreateSubscriptionBadRequest400/content/application~1json/schema"
UNPROCESSABLE = (
    "#/components/responses/CreateSubscriptionUnprocessableEntity422/content/application~1json/schema"
)
UNAUTHENTICATED = "#/components/responses/Generic401/content/application~1json/schema"
NOT_FOUND = "#/components/responses/Generic404/content/application~1json/schema"
SINK_TOKEN = "partner-issued-token-3f9a8c7e2b1d"


def body(sink: str = SINK, number: str | None = NUMBER, **extra: object) -> dict:
    """A valid creation body (HTTP, swapped, the number), with ``extra`` properties merged in."""
    config: dict = {"subscriptionDetail": {} if number is None else {"phoneNumber": number}}
    config.update(extra.pop("config", {}))
    return {"protocol": "HTTP", "sink": sink, "types": [SWAPPED], "config": config, **extra}


def credential(**overrides: object) -> dict:
    """An ACCESSTOKEN bearer credential valid for a day."""
    expires = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    return {
        "credentialType": "ACCESSTOKEN",
        "accessTokenType": "bearer",
        "accessToken": SINK_TOKEN,
        "accessTokenExpiresUtc": expires,
        **overrides,
    }


def headers(token: str | None) -> dict[str, str]:
    """The partner's headers: its token (when given) and an x-correlator."""
    found = {"x-correlator": CORRELATOR}
    if token is not None:
        found["Authorization"] = f"Bearer {token}"
    return found


@pytest.fixture
def api(client, partner_token):
    """Calls the API as the bank: ``api("post", body)``, ``api("get", path=…)``."""

    def call(method: str, json: object = None, *, path: str = "", token: str | None = partner_token):
        kwargs = {"json": json} if json is not None else {}
        return getattr(client, method)(BASE + path, headers=headers(token), **kwargs)

    return call


@pytest.fixture
def ivanov(session, config):
    """Иванов with his ledger, so that a reissue can be opened for him."""
    return make_ivanov(session, config.PII_KEY, datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def hand_over(client, session, config, ivanov):
    """Hand Иванов a new SIM at the Moscow office through the office API; returns the new SIM's time."""
    office = bearer(make_api_client(session, ApiRole.OFFICE, region="RU-MOW"))

    def fulfil(passport: str = IVANOV["passport"]) -> datetime | None:
        ticket = open_reissue(session, config.PII_KEY, ivanov, IVANOV["calls"])
        response = client.post(
            f"/api/v1/tickets/{ticket.id}/fulfil",
            json={"iccid": iccid(), "passport": passport},
            headers=office,
        )
        if response.status_code != 200:
            return None
        session.expire_all()
        sim = session.scalars(
            select(Sim).where(Sim.subscriber_id == ivanov.id, Sim.status == SimStatus.ACTIVE)
        ).one()
        return sim.activated_at

    return fulfil


def deliver(app, passes: int = 5) -> None:
    """Run the worker's passes (events due at once are delivered in the first)."""
    worker = Worker(app, poll_seconds=0.01)
    for _ in range(passes):
        if not worker.run_once():
            break
    worker.sinks.close()


def created(response) -> dict:
    """201, JSON, x-correlator echoed, the published Subscription shape; returns the body."""
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.content_type == "application/json"
    assert response.headers["x-correlator"] == CORRELATOR
    subscription = response.get_json()
    # The test sinks are http://127.0.0.1 (allowed only by SUBSCRIPTION_SINKS_ALLOW_PRIVATE); the
    # published pattern wants https, which the tests with https sinks check as it stands.
    shown = {**subscription, "sink": subscription["sink"].replace("http://127.0.0.1", "https://127.0.0.1")}
    assert_published(shown, SUBSCRIPTION)
    return subscription


def refused(response, status: int, code: str, pointer: str) -> None:
    """The CAMARA error, valid against the published response schema."""
    assert_error(response, status, code)
    assert_published(response.get_json(), pointer)


def events_of(session, subscription_id: str) -> list[SubscriptionEvent]:
    session.expire_all()
    return list(
        session.scalars(
            select(SubscriptionEvent)
            .where(SubscriptionEvent.subscription_id == subscription_id)
            .order_by(SubscriptionEvent.id)
        )
    )


def assert_cloud_event(received, kind_schema: str, subscription_id: str) -> dict:
    """A structured CloudEvents 1.0 POST, valid against the published event schema; returns the event."""
    assert received.headers["Content-Type"] == "application/cloudevents+json"
    event = received.event
    assert_published(event, f"#/components/schemas/{kind_schema}")
    assert event["specversion"] == "1.0"
    assert event["source"] == "urn:lost-sim-recovery:camara:sim-swap-subscriptions"
    assert event["datacontenttype"] == "application/json"
    assert event["data"]["subscriptionId"] == subscription_id
    assert event["data"]["phoneNumber"] == NUMBER
    return event


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# --- happy paths -------------------------------------------------------------------------------------


def test_creation_01_sync_creation(api):
    before = datetime.now(UTC) - timedelta(seconds=1)
    subscription = created(api("post", body(sinkCredential=credential())))
    assert subscription["types"] == [SWAPPED]
    assert subscription["protocol"] == "HTTP"
    assert subscription["sink"] == SINK
    assert subscription["config"]["subscriptionDetail"]["phoneNumber"] == NUMBER
    assert before <= _time(subscription["startsAt"]) <= datetime.now(UTC)
    assert subscription["status"] == "ACTIVE"
    assert "sinkCredential" not in subscription and SINK_TOKEN not in str(subscription)


def test_creation_echoes_the_limits(api):
    expires = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    config = {"subscriptionExpireTime": expires.isoformat(), "subscriptionMaxEvents": 2}
    subscription = created(api("post", body(config=config)))
    assert _time(subscription["config"]["subscriptionExpireTime"]) == expires
    assert _time(subscription["expiresAt"]) == expires
    assert subscription["config"]["subscriptionMaxEvents"] == 2


def test_retrieve_03_by_id(api):
    subscription_id = created(api("post", body()))["id"]
    response = api("get", path=f"/{subscription_id}")
    assert response.status_code == 200 and response.content_type == "application/json"
    assert response.headers["x-correlator"] == CORRELATOR
    assert_published(response.get_json(), SUBSCRIPTION)
    assert response.get_json()["id"] == subscription_id


def test_retrieve_04_list_is_the_clients_own(api, session):
    mine = [created(api("post", body()))["id"], created(api("post", body(number="+79217654321")))["id"]]
    other = make_api_client(session, name="other-bank")
    created(api("post", body(), token=other))
    response = api("get")
    assert response.status_code == 200 and response.headers["x-correlator"] == CORRELATOR
    listed = response.get_json()
    for item in listed:
        assert_published(item, SUBSCRIPTION)
    assert [item["id"] for item in listed] == mine
    assert len(api("get", token=other).get_json()) == 1


def test_delete_05_then_subscription_ended(app, api, session):
    with running_sink() as sink:
        subscription_id = created(api("post", body(sink=sink.url, sinkCredential=credential())))["id"]
        response = api("delete", path=f"/{subscription_id}")
        assert response.status_code == 204 and response.headers["x-correlator"] == CORRELATOR
        deleted_at = datetime.now(UTC)
        deliver(app)
    assert [e["type"] for e in sink.events()] == [ENDED]
    event = assert_cloud_event(sink.received[0], "EventSubscriptionEnded", subscription_id)
    assert event["data"]["terminationReason"] == "SUBSCRIPTION_DELETED"
    assert abs(_time(event["time"]) - deleted_at) < timedelta(seconds=5)
    assert sink.received[0].headers["Authorization"] == f"Bearer {SINK_TOKEN}"
    # Gone for the partner: by id, in the list, and deleting again.
    refused(api("get", path=f"/{subscription_id}"), 404, "NOT_FOUND", NOT_FOUND)
    refused(api("delete", path=f"/{subscription_id}"), 404, "NOT_FOUND", NOT_FOUND)
    assert api("get").get_json() == []


def test_creation_06_swapped_after_the_office_hand_over(app, api, session, hand_over):
    with running_sink() as sink:
        subscription_id = created(api("post", body(sink=sink.url, sinkCredential=credential())))["id"]
        swapped_at = hand_over()
        # Queued with the hand-over, in its transaction: there before the worker runs.
        assert [e.kind for e in events_of(session, subscription_id)] == ["swapped"]
        deliver(app)
    assert len(sink.received) == 1
    event = assert_cloud_event(sink.received[0], "EventSimSwap", subscription_id)
    assert event["type"] == SWAPPED
    assert _time(event["time"]) == swapped_at
    assert sink.received[0].headers["Authorization"] == f"Bearer {SINK_TOKEN}"
    assert sink.received[0].path == "/events"
    stored = events_of(session, subscription_id)
    assert [(e.state, e.attempts) for e in stored] == [(SubscriptionEventState.DONE, 1)]
    assert stored[0].event_id == event["id"]


def test_a_hand_over_at_the_office_page_sends_the_swapped_event(app, api, session, config, ivanov):
    clerk = app.test_client()
    login(clerk, make_staff(session, StaffRole.OFFICE, login="office-msk", region="RU-MOW"))
    with running_sink() as sink:
        subscription_id = created(api("post", body(sink=sink.url)))["id"]
        ticket = open_reissue(session, config.PII_KEY, ivanov, IVANOV["calls"])
        page = clerk.get(f"/office/tickets/{ticket.id}").get_data(as_text=True)
        answer = clerk.post(
            f"/office/tickets/{ticket.id}/fulfil",
            data={"passport": IVANOV["passport"], "iccid": iccid(), "csrf_token": csrf_token(page)},
        )
        assert answer.status_code == 302
        deliver(app)
    assert [event["type"] for event in sink.events()] == [SWAPPED]
    assert assert_cloud_event(sink.received[0], "EventSimSwap", subscription_id)["data"] == {
        "phoneNumber": NUMBER,
        "subscriptionId": subscription_id,
    }


def test_no_authorization_header_without_a_credential(app, api, hand_over):
    with running_sink() as sink:
        created(api("post", body(sink=sink.url)))
        hand_over()
        deliver(app)
    assert len(sink.received) == 1 and "Authorization" not in sink.received[0].headers


def test_creation_07_subscription_ends_on_max_events(app, api, session, hand_over):
    with running_sink() as sink:
        subscription_id = created(api("post", body(sink=sink.url, config={"subscriptionMaxEvents": 1})))["id"]
        hand_over()
        deliver(app)
        hand_over()  # a second swap: the subscription has ended, nothing more is sent
        deliver(app)
    assert [e["type"] for e in sink.events()] == [SWAPPED, ENDED]
    ended = assert_cloud_event(sink.received[1], "EventSubscriptionEnded", subscription_id)
    assert ended["data"]["terminationReason"] == "MAX_EVENTS_REACHED"
    assert api("get", path=f"/{subscription_id}").get_json()["status"] == "INACTIVE"


def test_expiry_ends_the_subscription(app, api, session):
    with running_sink() as sink:
        expires = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        subscription_id = created(
            api("post", body(sink=sink.url, config={"subscriptionExpireTime": expires}))
        )["id"]
        deliver(app)
        assert sink.received == []
        stored = session.get(SimSwapSubscription, subscription_id)
        stored.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        session.commit()
        deliver(app)
    assert [e["data"]["terminationReason"] for e in sink.events(kind="subscription-ended")] == [
        "SUBSCRIPTION_EXPIRED"
    ]
    assert api("get", path=f"/{subscription_id}").get_json()["status"] == "EXPIRED"


# --- 400 -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", ["MQTT3", "KAFKA", "FTP"])
def test_creation_20_invalid_protocol(api, protocol):
    refused(api("post", body(protocol=protocol)), 400, "INVALID_PROTOCOL", BAD_REQUEST)


@pytest.mark.parametrize("credential_type", ["PLAIN", "REFRESHTOKEN"])
def test_creation_21_invalid_credential(api, credential_type):
    response = api("post", body(sinkCredential=credential(credentialType=credential_type)))
    refused(response, 400, "INVALID_CREDENTIAL", BAD_REQUEST)


def test_creation_22_invalid_token(api):
    response = api("post", body(sinkCredential=credential(accessTokenType="mac")))
    refused(response, 400, "INVALID_TOKEN", BAD_REQUEST)


@pytest.mark.parametrize(
    "types",
    [["org.camaraproject.sim-swap-subscriptions.v0.subscription-ended"], [], [SWAPPED, SWAPPED], SWAPPED],
)
def test_creation_23_invalid_event_type(api, types):
    refused(api("post", body(types=types)), 400, "INVALID_ARGUMENT", BAD_REQUEST)


def test_creation_24_expire_time_in_the_past(api):
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    response = api("post", body(config={"subscriptionExpireTime": past}))
    refused(response, 400, "INVALID_ARGUMENT", BAD_REQUEST)


@pytest.mark.parametrize("missing", ["protocol", "sink", "types", "config"])
def test_creation_25_required_property_missing(api, missing):
    request = body()
    del request[missing]
    refused(api("post", request), 400, "INVALID_ARGUMENT", BAD_REQUEST)


@pytest.mark.parametrize("sink", ["not a url", "sink.bank.example/events", "", "https://"])
def test_creation_26_sink_not_a_url(api, sink):
    response = api("post", body(sink=sink))
    assert response.status_code == 400
    assert response.get_json()["code"] in ("INVALID_ARGUMENT", "INVALID_SINK")
    assert_published(response.get_json(), BAD_REQUEST)


@pytest.mark.parametrize(
    "extra",
    [
        {"config": {"subscriptionMaxEvents": 0}},
        {"config": {"subscriptionMaxEvents": 2**63}},
        {"config": {"subscriptionMaxEvents": "5"}},
        {"config": {"subscriptionExpireTime": "2030-01-01T00:00:00"}},  # no time zone
        {"sinkCredential": {"credentialType": "ACCESSTOKEN", "accessTokenType": "bearer"}},
        {
            "sinkCredential": {
                "credentialType": "ACCESSTOKEN",
                "accessTokenType": "bearer",
                "accessToken": "a\r\nb",
            }
        },
        {"protocolSettings": {"headers": {"X-Evil": "1"}}},
    ],
)
def test_other_invalid_bodies_are_400(api, extra):
    response = api("post", body(**extra))
    refused(response, 400, "INVALID_ARGUMENT", BAD_REQUEST)


def test_an_expired_sink_token_is_refused(api):
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    refused(
        api("post", body(sinkCredential=credential(accessTokenExpiresUtc=past))),
        400,
        "INVALID_ARGUMENT",
        BAD_REQUEST,
    )


@pytest.mark.parametrize(
    "sink",
    [
        "http://sink.bank.example/events",
        "https://127.0.0.1/events",
        "https://10.1.2.3/events",
        "https://[::1]/events",
        "https://[::ffff:192.168.0.1]/events",
        "https://169.254.169.254/latest/meta-data",
        "https://localhost/events",
        "https://user:secret@sink.bank.example/events",
        "ftp://sink.bank.example/events",
    ],
)
def test_sinks_we_do_not_deliver_to_are_invalid_sink_in_production(make_app, database_url, session, sink):
    from tests.helpers.databases import make_config

    app = make_app(make_config(database_url, SUBSCRIPTION_SINKS_ALLOW_PRIVATE=False))
    token = make_api_client(session, name="prod-bank")
    response = app.test_client().post(BASE, json=body(sink=sink), headers=headers(token))
    refused(response, 400, "INVALID_SINK", BAD_REQUEST)


# --- 401, 403 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_creation_40_42_no_or_invalid_authorization(api, token):
    refused(api("post", body(), token=token), 401, "UNAUTHENTICATED", UNAUTHENTICATED)


def test_creation_41_revoked_token_is_unauthenticated(api, session, partner_token):
    from recovery.models import ApiToken
    from recovery.security.tokens import token_hash

    stored = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(partner_token)))
    stored.revoked_at = datetime.now(UTC)
    session.commit()
    refused(api("post", body()), 401, "UNAUTHENTICATED", UNAUTHENTICATED)


@pytest.mark.parametrize(
    ("method", "path", "scopes"),
    [
        ("post", "", ("sim-swap-subscriptions:read", "sim-swap-subscriptions:delete")),
        ("get", "", ("sim-swap-subscriptions:org.camaraproject.sim-swap-subscriptions.v0.swapped:create",)),
        ("get", "/x", ("sim-swap:check",)),
        ("delete", "/x", ("sim-swap-subscriptions:read",)),
    ],
)
def test_each_operation_needs_its_scope(api, session, method, path, scopes):
    token = make_api_client(session, scopes=scopes)
    response = api(method, body() if method == "post" else None, path=path, token=token)
    assert_error(response, 403, "PERMISSION_DENIED")


def test_office_tokens_are_refused(api, session):
    token = make_api_client(session, ApiRole.OFFICE, region="RU-MOW")
    assert_error(api("post", body(), token=token), 403, "PERMISSION_DENIED")


# --- 404 -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "delete"])
@pytest.mark.parametrize("subscription_id", ["9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d", "x", "a" * 300])
def test_retrieve_80_delete_81_not_found(api, method, subscription_id):
    refused(api(method, path=f"/{subscription_id}"), 404, "NOT_FOUND", NOT_FOUND)


@pytest.mark.parametrize("method", ["get", "delete"])
def test_another_clients_subscription_is_not_found(api, session, method):
    subscription_id = created(api("post", body()))["id"]
    other = make_api_client(session, name="other-bank")
    refused(api(method, path=f"/{subscription_id}", token=other), 404, "NOT_FOUND", NOT_FOUND)
    session.expire_all()
    assert session.get(SimSwapSubscription, subscription_id).state is SubscriptionState.ACTIVE


# --- 422 -----------------------------------------------------------------------------------------------


def test_creation_102_missing_identifier(api):
    refused(api("post", body(number=None)), 422, "MISSING_IDENTIFIER", UNPROCESSABLE)


# --- delivery: retries and their bounds ----------------------------------------------------------------


@pytest.fixture
def quick_retries(config):
    """Retries due at once, a short sink timeout, few attempts: the bounds, made small."""
    config.SUBSCRIPTION_DELIVERY_BACKOFF_SECONDS = 0
    config.SUBSCRIPTION_DELIVERY_MAX_ATTEMPTS = 3
    config.SUBSCRIPTION_SINK_TIMEOUT_SECONDS = 0.3
    return config


def test_a_sink_failing_twice_then_answering_gets_one_successful_delivery(
    quick_retries, app, api, session, hand_over
):
    with running_sink(500, 503, 204) as sink:
        subscription_id = created(api("post", body(sink=sink.url)))["id"]
        hand_over()
        deliver(app, passes=10)
    assert len(sink.received) == 3
    assert len({r.event["id"] for r in sink.received}) == 1  # the same event, retried
    stored = events_of(session, subscription_id)
    assert [(e.state, e.attempts) for e in stored] == [(SubscriptionEventState.DONE, 3)]
    assert session.get(SimSwapSubscription, subscription_id).state is SubscriptionState.ACTIVE


def test_a_sink_that_never_answers_is_given_up_and_a_supervisor_sees_it(
    quick_retries, app, api, session, hand_over, client
):
    from recovery.models import StaffRole
    from tests.helpers.people import make_staff
    from tests.helpers.web import login

    with running_sink(HANG) as sink:
        subscription_id = created(api("post", body(sink=sink.url, sinkCredential=credential())))["id"]
        hand_over()
        deliver(app, passes=10)
    assert len(sink.received) == 3  # MAX_ATTEMPTS, each cut by the timeout
    session.expire_all()
    stored = events_of(session, subscription_id)
    assert [(e.state, e.attempts) for e in stored] == [(SubscriptionEventState.FAILED, 3)]
    assert SINK_TOKEN not in (stored[0].error or "")
    subscription = session.get(SimSwapSubscription, subscription_id)
    assert subscription.state is SubscriptionState.FAILED
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.channel == "worker")).all()
    assert "camara.sim_swap_subscription.failed" in actions
    login(client, make_staff(session, StaffRole.SUPERVISOR, login="supervisor-1"))
    page = client.get("/supervisor/network/").get_data(as_text=True)
    assert subscription_id in page and "127.0.0.1" in page
    assert SINK_TOKEN not in page


def test_the_total_time_bound_gives_up_before_the_attempts_run_out(app, api, session, hand_over):
    app.config["SUBSCRIPTION_DELIVERY_BACKOFF_SECONDS"] = 60
    app.config["SUBSCRIPTION_DELIVERY_MAX_SECONDS"] = 30  # the first retry would come after the bound
    with running_sink(500) as sink:
        subscription_id = created(api("post", body(sink=sink.url)))["id"]
        hand_over()
        deliver(app)
    assert len(sink.received) == 1
    assert [e.state for e in events_of(session, subscription_id)] == [SubscriptionEventState.FAILED]


def test_a_4xx_is_given_up_at_once(app, api, session, hand_over):
    with running_sink(403) as sink:
        subscription_id = created(api("post", body(sink=sink.url)))["id"]
        hand_over()
        deliver(app)
    assert len(sink.received) == 1
    assert session.get(SimSwapSubscription, subscription_id).state is SubscriptionState.FAILED


def test_a_redirect_is_not_followed(app, api, session, hand_over):
    with running_sink(302) as sink:
        created(api("post", body(sink=sink.url)))
        hand_over()
        deliver(app)
    assert len(sink.received) == 1


def test_the_worker_refuses_a_sink_that_resolves_to_a_private_address():
    """The check is on the connected socket, after DNS: a name resolving to 127.0.0.1 is refused too."""
    from recovery.camara.sinks import SinkNotAllowed, SinkSender

    sender = SinkSender(allow_private=False, timeout=1)
    with running_sink() as sink, pytest.raises(SinkNotAllowed):
        sender.session.post(sink.url, data=b"{}", timeout=1)  # past check_sink, straight to the socket
    assert sink.received == []
    sender.close()


# --- what a subscription may and may not see ----------------------------------------------------------


def test_a_subscription_deleted_before_the_hand_over_gets_no_swapped_event(app, api, hand_over):
    with running_sink() as sink:
        subscription_id = created(api("post", body(sink=sink.url)))["id"]
        assert api("delete", path=f"/{subscription_id}").status_code == 204
        hand_over()
        deliver(app)
    assert [e["type"] for e in sink.events()] == [ENDED]


def test_a_refused_hand_over_queues_nothing(app, api, session, hand_over):
    subscription_id = created(api("post", body()))["id"]
    assert hand_over(passport="4509 654321") is None
    assert events_of(session, subscription_id) == []


def test_an_unknown_number_is_accepted_like_a_known_one_and_never_fires(app, api, session, hand_over):
    with running_sink() as sink:
        api("get")  # the token is resolved once and then cached (recovery/api/auth.py): not compared
        with captured_statements(app) as known:
            first = created(api("post", body(sink=sink.url, number=NUMBER)))
        with captured_statements(app) as unknown:
            second = created(api("post", body(sink=sink.url, number=UNKNOWN_NUMBER)))
        assert unknown == known, (unknown.kinds(), known.kinds())
        assert set(first) == set(second) and set(first["config"]) == set(second["config"])
        assert first["status"] == second["status"] == "ACTIVE"
        hand_over()
        deliver(app)
    assert [e["data"]["subscriptionId"] for e in sink.events()] == [first["id"]]
    assert events_of(session, second["id"]) == []


def test_the_sink_token_is_stored_encrypted_and_never_returned(api, session):
    subscription_id = created(api("post", body(sinkCredential=credential())))["id"]
    raw = session.execute(text("SELECT sink_token FROM sim_swap_subscriptions")).scalar_one()
    assert SINK_TOKEN not in raw
    assert session.get(SimSwapSubscription, subscription_id).sink_token == SINK_TOKEN
    assert SINK_TOKEN not in api("get", path=f"/{subscription_id}").get_data(as_text=True)
    assert SINK_TOKEN not in api("get").get_data(as_text=True)


def test_create_and_delete_are_audited(api, session):
    subscription_id = created(api("post", body(sinkCredential=credential())))["id"]
    api("delete", path=f"/{subscription_id}")
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.channel == "api").order_by(AuditEvent.id)
    ).all()
    assert [(e.actor, e.action, e.subject) for e in events] == [
        ("api:bank", "camara.sim_swap_subscriptions.create", NUMBER),
        ("api:bank", "camara.sim_swap_subscriptions.delete", NUMBER),
    ]
    assert events[0].details["subscription_id"] == subscription_id
    assert events[0].details["sink_host"] == "sink.bank.example"
    assert SINK_TOKEN not in str([e.details for e in events])


def test_a_client_holds_a_bounded_number_of_active_subscriptions(app, api):
    app.config["MAX_SUBSCRIPTIONS_PER_CLIENT"] = 2
    created(api("post", body()))
    created(api("post", body()))
    assert_error(api("post", body()), 429, "TOO_MANY_REQUESTS")


# --- the document ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "method", "scope", "statuses"),
    [
        (
            "",
            "post",
            "sim-swap-subscriptions:org.camaraproject.sim-swap-subscriptions.v0.swapped:create",
            {"201", "400", "401", "403", "422", "429"},
        ),
        ("", "get", "sim-swap-subscriptions:read", {"200", "400", "401", "403"}),
        ("/{subscriptionId}", "get", "sim-swap-subscriptions:read", {"200", "401", "403", "404"}),
        ("/{subscriptionId}", "delete", "sim-swap-subscriptions:delete", {"204", "401", "403", "404"}),
    ],
)
def test_the_operations_are_documented_with_their_scopes(client, path, method, scope, statuses):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"][BASE + path][method]
    assert operation["x-api-client"] == {"role": "partner", "scopes": [scope]}
    assert statuses <= set(operation["responses"])
    for status, response in operation["responses"].items():
        assert status == "default" or "x-correlator" in response["headers"]


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite serialises writers: no race to lose")
def test_parallel_deletes_end_a_subscription_once(app, api, session, partner_token):
    subscription_id = created(api("post", body()))["id"]

    def prepare(client, n):
        return lambda: client.delete(f"{BASE}/{subscription_id}", headers=headers(partner_token)).status_code

    assert sorted(in_parallel(app, 4, prepare)) == [204, 404, 404, 404]
    assert [e.kind for e in events_of(session, subscription_id)] == ["subscription-ended"]
