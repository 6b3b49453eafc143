"""Bad input on every endpoint that takes input: hypothesis-generated forms and JSON bodies.

Every POST rule of the URL map is fuzzed (the test fails when one is neither
fuzzed nor listed as excluded): web forms as the person the page is for,
with a valid CSRF token most of the time, and JSON APIs with the right token.
Inputs: the form's own values mixed with huge strings, control characters,
invalid UTF-8 bytes, SQL and HTML injection strings, repeated fields, file
uploads, wrong JSON types and nested junk. The answer must never be a 5xx; a
4xx stores nothing; an HTML answer never carries an injected tag unescaped,
and afterwards no page of the product shows one.

Rate limits are off here (they are tested on their own): the point is to get
past them into every form. The examples are bounded (``FORM_EXAMPLES`` and
``JSON_EXAMPLES`` per endpoint): this runs twice in CI.
"""

from __future__ import annotations

import io
import json
import uuid
from dataclasses import dataclass, field
from urllib.parse import quote, quote_from_bytes, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.routing import Rule

from recovery.extensions import db
from tests.helpers.cast import PEOPLE, Cast, PageForm, api_claim, forms_on, make_cast
from tests.helpers.claims import WizardAnswers, fill_wizard
from tests.helpers.people import IVANOV
from tests.helpers.web import csrf_token_of, post_form

FORM_EXAMPLES = 8
JSON_EXAMPLES = 12

#: Injected tags, and what of them must never reach an HTML page unescaped.
INJECTIONS = ('<script>alert("x")</script>', '"><img src=x onerror=alert(1)>', "<b data-fuzz>bold</b>")
RAW_TAGS = ("<script>alert(", "<img src=x onerror", "<b data-fuzz>")
NASTY = (
    *INJECTIONS,
    "' OR '1'='1",
    "'; DROP TABLE subscribers; --",
    '" OR ""="',
    "1; SELECT pg_sleep(5)",
    "%00",
    "\x00",
    "\r\nSet-Cookie: x=1",
    "‮evil‭",  # right-to-left override
    "И\u200bв\u200bа\u200bн",  # zero-width spaces
    "𝕴𝖛𝖆𝖓 🚨",
    "../../../../etc/passwd",
    "{{7*7}}",
    "${7*7}",
    "9" * 400,
    "-1",
    "1e309",
    "NaN",
    "null",
    "true",
    "[]",
    "{}",
)
#: Tables whose rows a refused (4xx) request may still add: the audit log records refusals,
#: a refused form shows a fresh captcha, the wizard keeps its draft, and a partner's look-up of a
#: number that is not ours (404) spends that number's budget as a look-up of ours does (issue 12).
MAY_GROW_ON_REFUSAL = frozenset({"audit_events", "captchas", "claim_drafts", "partner_number_budgets"})
#: POST rules not fuzzed here, and why.
EXCLUDED: dict[str, str] = {}
#: Rules that take a JSON body rather than a form.
API_PREFIXES = ("/api/", "/camara/")


class Huge(str):
    """A long string that prints short (hypothesis shows failing examples)."""

    def __repr__(self) -> str:
        return f"Huge({len(self)} × {self[:1]!r})"


class Raw(bytes):
    """A body of bytes that prints short."""

    def __repr__(self) -> str:
        return f"Raw({len(self)} bytes: {bytes(self[:24])!r}…)" if len(self) > 24 else f"Raw({bytes(self)!r})"


huge = st.sampled_from([2_000, 20_000, 70_000]).map(lambda n: Huge("Ж" * n))
#: JSON nested deeper than the parser's recursion allows, in well under MAX_CONTENT_LENGTH.
DEEP_JSON = Raw(b"[" * 20_000 + b"]" * 20_000)
junk_text = st.one_of(st.text(max_size=60), st.sampled_from(NASTY), huge)


@pytest.fixture
def config(config):
    """Limits off (tested elsewhere), so that every example reaches the form."""
    config.RATELIMIT_ENABLED = False
    return config


@pytest.fixture
def cast(app, session, config) -> Cast:
    """Everyone, signed in, with a subscriber, API tokens, an open reissue ticket and a support chat."""
    people = make_cast(app, session, config.PII_KEY)
    opened = people.client("anonymous").post(
        "/api/v1/claims", json=api_claim(), headers=people.bearer("agent")
    )
    people.ticket_id = uuid.UUID(opened.get_json()["ticket"]["id"])
    post_form(people.client("holder"), "/account/support", "/account/support", {"body": "Здравствуйте"})
    return people


# --- The routes -------------------------------------------------------------------------------------


def post_rules(app: Flask) -> list[Rule]:
    """Every rule of the URL map that takes a POST, in path order."""
    return sorted(
        (rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())),
        key=lambda rule: rule.rule,
    )


def is_api(rule: Rule) -> bool:
    """Whether the rule is a JSON API endpoint (bearer tokens, no CSRF)."""
    return rule.rule.startswith(API_PREFIXES)


#: Who fills the forms of each blueprint (anyone else is refused before the form is read).
PERSON_BY_BLUEPRINT = {
    "account": "holder",
    "support": "agent",
    "agent": "agent",
    "office": "office",
    "supervisor": "supervisor",
}


def person_for(app: Flask, rule: Rule) -> str:
    """The person whose page posts to ``rule``."""
    from recovery.account.login_routes import PUBLIC_ENDPOINTS

    if rule.endpoint in PUBLIC_ENDPOINTS:
        return "anonymous"
    blueprint = rule.endpoint.rpartition(".")[0]
    return PERSON_BY_BLUEPRINT.get(blueprint, "anonymous")


def token_role_for(rule: Rule) -> str:
    """The API role whose token the endpoint is for."""
    if rule.rule.startswith("/camara/"):
        return "partner"
    return "office" if rule.endpoint.endswith("fulfil_ticket") else "agent"


def argument_values(cast: Cast) -> dict[str, list[object]]:
    """Values for URL arguments, by argument name: real ids first, then strangers."""
    return {
        "subscriber_id": [cast.subscriber.id, 999_999],
        "code": ["ru", "en", "xx"],
        "name": ["number", "passport", "address", "calls", "where", "action", "nope"],
        "ticket_id": [cast.ticket_id, uuid.uuid4()],
        "claim_id": [uuid.uuid4()],
        "msisdn": [IVANOV["msisdn"]],
    }


def urls_for(rule: Rule, values: dict[str, list[object]]) -> list[str]:
    """Concrete paths of ``rule``: one per known value of its (single varying) argument."""
    if not rule.arguments:
        return [rule.rule]
    choices = [[(name, value) for value in values.get(name, ["x"])] for name in sorted(rule.arguments)]
    urls = []
    for n in range(max(len(c) for c in choices)):
        args = {name: value for name, value in (c[min(n, len(c) - 1)] for c in choices)}
        urls.append(rule.build(args, append_unknown=False)[1])
    return urls


# --- What the fuzzer sees of each form -------------------------------------------------------------


@dataclass
class Target:
    """One URL to post to, as one person, with the fields its form offers."""

    url: str
    person: str
    hidden: dict[str, str] = field(default_factory=dict)
    fields: dict[str, list[str]] = field(default_factory=dict)


def page_forms(cast: Cast, person: str) -> dict[str, PageForm]:
    """Every POST form on every argument-free page ``person`` can open, by where it posts."""
    client = cast.client(person)
    found: dict[str, PageForm] = {}
    for rule in cast.app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.arguments or rule.endpoint.endswith("static"):
            continue
        response = client.get(rule.rule)
        page = response.get_data(as_text=True)  # read to the end: streamed exports close their cursor
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        for form in forms_on(page, rule.rule):
            if form.method == "post":
                found.setdefault(urlsplit(form.action).path, form)
    return found


def form_targets(cast: Cast, rule: Rule) -> list[Target]:
    """Where and how to post to a form rule: its page's form when one posts there."""
    person = person_for(cast.app, rule)
    client = cast.client(person)
    known = page_forms(cast, person)
    targets = []
    for url in urls_for(rule, argument_values(cast)):
        form = known.get(url)
        if form is None and "GET" in (rule.methods or ()):
            page = client.get(url)
            if page.mimetype == "text/html":
                candidates = [f for f in forms_on(page.get_data(as_text=True), url) if f.method == "post"]
                form = next((f for f in candidates if urlsplit(f.action).path == url), None)
        if form is None:
            form = PageForm(url, "post", {"csrf_token": csrf_token_of(client)})
        targets.append(Target(url, person, dict(form.hidden), dict(form.fields)))
    return targets


# --- Strategies -------------------------------------------------------------------------------------


def form_value(offered: list[str]) -> st.SearchStrategy:
    """A field's value: one it offers, junk, several values at once, or a file."""
    single = st.one_of(st.sampled_from(offered), junk_text) if offered else junk_text
    return st.one_of(
        single,
        single,
        st.lists(single, min_size=2, max_size=3),
        st.binary(max_size=200).map(lambda b: (io.BytesIO(b), "упс.txt")),
    )


@st.composite
def form_bodies(draw: st.DrawFn, target: Target) -> tuple[str, object]:
    """A body for ``target``: ``("data", dict)`` for the client to encode, or ``("raw", bytes)``."""
    data: dict[str, object] = {}
    for name, offered in target.fields.items():
        if draw(st.integers(0, 9)):  # mostly present
            data[name] = draw(form_value(offered))
    for name, value in target.hidden.items():
        keep = draw(st.integers(0, 9)) > 0  # the CSRF token mostly right, so the form is read
        data[name] = value if keep else draw(junk_text)
    data.update(draw(st.dictionaries(st.text(min_size=1, max_size=12), junk_text, max_size=2)))
    if draw(st.integers(0, 5)) == 0:
        # Invalid UTF-8 and percent-escapes the client would never produce, in a urlencoded body.
        pieces = [f"{quote(str(k))}={quote(v if isinstance(v, str) else 'x')}" for k, v in data.items()]
        pieces.append(f"{quote(draw(st.sampled_from(list(target.fields) or ['x'])))}=")
        pieces[-1] += quote_from_bytes(draw(st.binary(min_size=1, max_size=40)) + b"\xff\xfe\xc3(")
        return "raw", Raw("&".join(pieces).encode())
    return "data", data


json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    junk_text,
)
json_junk = st.recursive(
    json_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)

#: Values a well-behaved client would send, by property name (so that examples get past the schema).
GOOD_VALUES: dict[str, list[object]] = {
    "phoneNumber": [IVANOV["msisdn"], "8 916 123-45-67", "+79990001122"],
    "fullName": [IVANOV["full_name"]],
    "passport": [IVANOV["passport"], "4509123457"],
    "registeredAddress": [IVANOV["address"], ""],
    "recentCalls": [list(IVANOV["calls"]), []],
    "currentRegion": ["RU-MOW", "RU-SPE"],
    "action": ["block", "reissue"],
    "lostAt": ["2026-01-01T10:00:00+03:00"],
    "iccid": ["89701990000000000016"],
    "maxAge": [1, 240, 2400],
    "idDocument": [IVANOV["passport"]],
}


def request_properties(spec: dict, path: str) -> tuple[dict[str, list[object]], dict]:
    """The JSON body's properties of POST ``path`` with good values, and the operation's example."""
    for template, operations in spec["paths"].items():
        pattern = template.replace("{", "<").replace("}", ">")
        if _same_shape(pattern, path):
            body = operations.get("post", {}).get("requestBody", {}).get("content", {})
            media = body.get("application/json", {})
            schema = media.get("schema", {})
            if "$ref" in schema:
                schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
            props = {
                name: [*GOOD_VALUES.get(name, []), *([p["example"]] if "example" in p else [])]
                for name, p in schema.get("properties", {}).items()
            }
            return props, media.get("example", {})
    return {}, {}


def _same_shape(template: str, path: str) -> bool:
    parts, actual = template.strip("/").split("/"), path.strip("/").split("/")
    return len(parts) == len(actual) and all(
        p == a or p.startswith("<") for p, a in zip(parts, actual, strict=True)
    )


@st.composite
def json_bodies(draw: st.DrawFn, properties: dict[str, list[object]], example: dict) -> tuple[str, object]:
    """A JSON body: the example with some properties junk, pure junk, or bytes that are no JSON."""
    kind = draw(st.integers(0, 9))
    if kind == 0:
        raw = draw(
            st.sampled_from(
                [
                    b"",
                    b"{",
                    b'{"phoneNumber": "\xff\xfe"}',
                    b"\xef\xbb\xbf{}",
                    DEEP_JSON,
                    b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
                    b"null",
                    b'"text"',
                    b"NaN",
                    b'{"phoneNumber": "+79161234567", "phoneNumber": 1}',
                ]
            ).map(Raw)
        )
        return "raw", raw
    if kind == 1:
        return "json", draw(json_junk)
    body: dict[str, object] = {}
    for name, good in properties.items():
        choice = draw(st.integers(0, 5))
        if choice == 0:
            continue
        if choice <= 3 and (good or name in example):
            body[name] = draw(st.sampled_from([*good, *([example[name]] if name in example else [])]))
        else:
            body[name] = draw(json_junk)
    body.update(draw(st.dictionaries(st.text(max_size=12), json_junk, max_size=2)))
    return "json", body


# --- Checks -----------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Cases run and server errors seen (the figures of the report)."""

    cases: int = 0
    server_errors: list[str] = field(default_factory=list)


def row_counts(app: Flask) -> dict[str, int]:
    """Rows per table."""
    with app.app_context():
        return {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }


def check_answer(app: Flask, label: str, response, before: dict[str, int], tally: Tally) -> None:
    """Never 5xx; a refusal stores nothing; no injected tag unescaped in a page."""
    tally.cases += 1
    if response.status_code >= 500:
        tally.server_errors.append(f"{label}: {response.status_code}")
    assert response.status_code < 500, label
    if 400 <= response.status_code < 500:
        grown = {
            name: count
            for name, count in row_counts(app).items()
            if count > before.get(name, 0) and name not in MAY_GROW_ON_REFUSAL
        }
        assert grown == {}, f"{label}: a refused request stored rows: {grown}"
    if response.mimetype == "text/html":
        page = response.get_data(as_text=True)
        assert not any(tag in page for tag in RAW_TAGS), f"{label}: an injected tag reached the page"


def assert_pages_escape_stored_input(cast: Cast) -> None:
    """Every argument-free page, as each person: no injected tag comes back unescaped."""
    for person in PEOPLE:
        client = cast.client(person)
        for rule in cast.app.url_map.iter_rules():
            if "GET" not in (rule.methods or ()) or rule.arguments or rule.endpoint.endswith("static"):
                continue
            response = client.get(rule.rule)
            page = response.get_data(as_text=True)  # read to the end: streamed exports close their cursor
            assert response.status_code < 500, (person, rule.rule)
            if response.mimetype == "text/html":
                assert not any(tag in page for tag in RAW_TAGS), (person, rule.rule)


def send(client: FlaskClient, url: str, body: tuple[str, object], headers: dict[str, str] | None = None):
    """POST ``body`` as drawn: a dict for the client to encode, JSON, or raw bytes."""
    kind, value = body
    if kind == "data":
        return client.post(url, data=value, headers=headers)
    if kind == "json":
        return client.post(url, data=json.dumps(value), content_type="application/json", headers=headers)
    content_type = "application/json" if headers else "application/x-www-form-urlencoded"
    return client.post(url, data=value, content_type=content_type, headers=headers)


FUZZ_SETTINGS = {
    "deadline": None,
    "database": None,  # no example database in the working tree
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


# --- The tests --------------------------------------------------------------------------------------


def test_every_post_rule_is_fuzzed_or_excluded_with_a_reason(app):
    rules = {rule.rule for rule in post_rules(app)}
    assert set(EXCLUDED) <= rules, "an exclusion names a rule that no longer exists"
    assert rules, "no POST rules"


def fuzz_form(app: Flask, client: FlaskClient, target: Target, tally: Tally) -> None:
    """Post ``FORM_EXAMPLES`` drawn bodies to one form."""

    @settings(max_examples=FORM_EXAMPLES, **FUZZ_SETTINGS)
    @given(body=form_bodies(target))
    def post_junk(body: tuple[str, object]) -> None:
        before = row_counts(app)
        response = send(client, target.url, body)
        check_answer(app, f"{target.person} POST {target.url} {body!r:.300}", response, before, tally)

    post_junk()


def fuzz_api(
    app: Flask, client: FlaskClient, url: str, headers: dict[str, str], spec: dict, tally: Tally
) -> None:
    """Post ``JSON_EXAMPLES`` drawn bodies to one JSON endpoint."""
    properties, example = request_properties(spec, url)

    @settings(max_examples=JSON_EXAMPLES, **FUZZ_SETTINGS)
    @given(body=json_bodies(properties, example))
    def post_junk(body: tuple[str, object]) -> None:
        before = row_counts(app)
        response = send(client, url, body, headers)
        check_answer(app, f"POST {url} {body!r:.300}", response, before, tally)
        assert response.mimetype == "application/json", url

    post_junk()


# Werkzeug spools large uploads to temporary files that the garbage collector
# closes later; the warning it raises then may land anywhere in this test.
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_forms_survive_bad_input(app, cast, capsys):
    tally = Tally()
    for rule in post_rules(app):
        if is_api(rule) or rule.rule in EXCLUDED:
            continue
        if rule.endpoint.startswith("lost."):
            # A claim in progress, so that the later steps and the submit read the form.
            fill_wizard(cast.client("anonymous"), WizardAnswers(passport="4509 000000"))
        for target in form_targets(cast, rule):
            fuzz_form(app, cast.client(target.person), target, tally)
    assert_pages_escape_stored_input(cast)
    with capsys.disabled():
        print(f"\nforms: {tally.cases} cases, {len(tally.server_errors)} answered 5xx")
    assert tally.server_errors == []


def test_json_apis_survive_bad_input(app, cast, capsys):
    tally = Tally()
    spec = cast.client("anonymous").get("/api/v1/openapi.json").get_json()
    for rule in post_rules(app):
        if not is_api(rule) or rule.rule in EXCLUDED:
            continue
        headers = cast.bearer(token_role_for(rule))
        for url in urls_for(rule, argument_values(cast)):
            fuzz_api(app, cast.client("anonymous"), url, headers, spec, tally)
    with capsys.disabled():
        print(f"\nJSON APIs: {tally.cases} cases, {len(tally.server_errors)} answered 5xx")
    assert tally.server_errors == []


# --- What the fuzzing found ---------------------------------------------------------------------------


def test_a_file_sent_for_a_text_field_is_refused_not_a_500(cast):
    client = cast.client("anonymous")
    response = client.post(
        "/account/login",
        data={"csrf_token": csrf_token_of(client), "phone": (io.BytesIO(b"+79161234567"), "n.txt")},
    )
    assert response.status_code == 400
    assert "Не удалось обработать запрос" in response.get_data(as_text=True)


def test_json_nested_too_deeply_is_invalid_json_not_a_500(cast):
    for url, role in (("/camara/sim-swap/v2/check", "partner"), ("/camara/kyc-match/v0.4/match", "partner")):
        response = cast.client("anonymous").post(
            url, data=bytes(DEEP_JSON), content_type="application/json", headers=cast.bearer(role)
        )
        assert response.status_code == 400, url
        assert response.get_json()["code"] == "INVALID_ARGUMENT"


def test_a_nul_character_in_a_form_is_refused_before_the_database_sees_it(cast):
    # Found by the fuzzing on PostgreSQL: the staff login was looked up with the NUL in it.
    client = cast.client("anonymous")
    response = client.post(
        "/staff/login",
        data={"csrf_token": csrf_token_of(client), "login": "agent\x00", "password": "x"},
    )
    assert response.status_code == 400
    assert "Не удалось обработать запрос" in response.get_data(as_text=True)


def test_a_nul_character_in_the_query_or_the_path_is_refused(cast):
    assert cast.client("supervisor").get("/supervisor/audit?text=a%00").status_code == 400
    assert cast.client("supervisor").get("/supervisor/queues/RU-MO%00W").status_code == 400
    response = cast.client("anonymous").get("/api/v1/tickets/R%00-1", headers=cast.bearer("office"))
    assert response.status_code == 400
    assert response.mimetype == "application/json"


def test_a_nul_character_anywhere_in_a_json_body_is_invalid_argument(cast):
    body = {"phoneNumber": "+79161234567", "idDocument": "4509123456", "address": {"nested": ["a\x00"]}}
    response = cast.client("anonymous").post(
        "/camara/kyc-match/v0.4/match", json=body, headers=cast.bearer("partner")
    )
    assert response.status_code == 400
    assert response.get_json()["code"] == "INVALID_ARGUMENT"
    response = cast.client("anonymous").post(
        "/api/v1/claims", json={"msisdn": "+7916\x001234567"}, headers=cast.bearer("agent")
    )
    assert response.status_code == 400
    assert response.mimetype == "application/json"
