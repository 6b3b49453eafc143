"""CAMARA KYC Match v0.4, ported from the published Gherkin scenarios (kyc-match.feature, r1.2).

The subscriber on record: Иванов Иван Иванович, passport 4509 123456,
г. Москва, ул. Ленина, д. 5, кв. 12, ivanov@example.ru. Scenarios that need a
three-legged token (11 INVALID_TOKEN_CONTEXT), an operator that requires
idDocument (12, 13) or lines the service does not apply to (C02.05) do not
arise here (docs/CAMARA.md). Authentication scenarios (401.*) are in test_access.py.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from recovery.camara.schemas import KYC_FIELDS, KYC_SCORED_FIELDS
from recovery.models import AuditEvent
from tests.helpers.camara import CORRELATOR, UNKNOWN_NUMBER, assert_error
from tests.helpers.people import make_subscriber

MATCH = "/camara/kyc-match/v0.4/match"
NUMBER = "+79161234567"

#: A schema-valid value for every property (KYC_Match_2).
VALID_VALUES = {
    "idDocument": "4509 123456",
    "idDocumentType": "passport",
    "idDocumentExpiryDate": "2030-01-01",
    "name": "Иванов Иван Иванович",
    "givenName": "Иван",
    "familyName": "Иванов",
    "nameKanaHankaku": "ｲﾜﾉﾌ",
    "nameKanaZenkaku": "イワノフ",
    "middleNames": "Иванович",
    "familyNameAtBirth": "Иванов",
    "address": "г. Москва, ул. Ленина, д. 5, кв. 12",
    "streetName": "Ленина",
    "streetNumber": "5",
    "postalCode": "101000",
    "region": "Москва",
    "locality": "Москва",
    "country": "RU",
    "houseNumberExtension": "12",
    "birthdate": "1980-05-17",
    "email": "ivanov@example.ru",
    "gender": "MALE",
    "cityOfBirth": "Москва",
    "countryOfBirth": "RU",
    "nationality": "RU",
}
#: Properties the operator holds; the others are answered not_available.
HELD = ("idDocument", "name", "givenName", "familyName", "middleNames", "address", "country", "email")
NOT_HELD = tuple(field for field in KYC_FIELDS if field not in HELD)


def match(camara, **fields):
    """POST the number and ``fields``; return the response."""
    return camara.post(MATCH, {"phoneNumber": NUMBER, **fields})


def assert_success(response) -> dict:
    """200, JSON, x-correlator echoed, every key a documented one; returns the body."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type == "application/json"
    assert response.headers["x-correlator"] == CORRELATOR
    body = response.get_json()
    for key, value in body.items():
        if key.endswith("MatchScore"):
            assert key.removesuffix("MatchScore") in KYC_SCORED_FIELDS
            assert isinstance(value, int) and 0 <= value <= 99
            assert body[key.replace("MatchScore", "Match")] == "false"
        else:
            assert key.removesuffix("Match") in KYC_FIELDS
            assert value in ("true", "false", "not_available")
    return body


def test_kyc_1_success_with_a_valid_combination(camara, subscriber):
    body = assert_success(match(camara, name="Иванов Иван Иванович", idDocument="4509 123456"))
    assert body == {"nameMatch": "true", "idDocumentMatch": "true"}


@pytest.mark.parametrize("field", KYC_FIELDS)
def test_kyc_2_each_property_is_answered(camara, subscriber, field):
    body = assert_success(match(camara, **{field: VALID_VALUES[field]}))
    assert f"{field}Match" in body
    assert set(body) <= {f"{field}Match", f"{field}MatchScore"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Петров Пётр Петрович"),
        ("givenName", "Пётр"),
        ("familyName", "Petrov"),
        ("middleNames", "Петрович"),
        ("address", "г. Москва, ул. Ленина, д. 5, кв. 13"),
        ("email", "petrov@example.ru"),
    ],
)
def test_kyc_3_a_text_mismatch_carries_a_score(camara, subscriber, field, value):
    body = assert_success(match(camara, **{field: value}))
    assert body[f"{field}Match"] == "false"
    assert 0 <= body[f"{field}MatchScore"] <= 99


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("idDocument", "4509 123456"),
        ("idDocument", "45 09 123456"),
        ("idDocument", "4509123456"),
        ("name", "Иванов Иван Иванович"),
        ("name", "Иван Иванович Иванов"),
        ("name", "ИВАНОВ иван иванович"),
        ("name", "Ivanov Ivan Ivanovich"),
        ("name", "Иавнов Иван Иванович"),  # one typo
        ("givenName", "Иван"),
        ("givenName", "Ivan"),
        ("familyName", "Иванов"),
        ("familyName", "Ivanov"),
        ("middleNames", "Иванович"),
        ("middleNames", "Ivanovich"),
        ("address", "г. Москва, ул. Ленина, д. 5, кв. 12"),
        ("address", "Москва, улица Ленина, дом 5, квартира 12"),
        ("address", "101000, г Москва ул Ленина д5 кв12"),
        ("country", "RU"),
        ("country", "ru"),
        ("email", "ivanov@example.ru"),
        ("email", "Ivanov@Example.RU"),
    ],
)
def test_kyc_4_a_match_is_true_without_a_score(camara, subscriber, field, value):
    body = assert_success(match(camara, **{field: value}))
    assert body == {f"{field}Match": "true"}


def test_kyc_4_latin_lookalike_letters_do_not_hide_a_match(camara, subscriber):
    """'Ивaнов' typed with a Latin 'a' is read as Cyrillic (DESIGN 2.1)."""
    assert assert_success(match(camara, familyName="Ив\u0061нов")) == {"familyNameMatch": "true"}


@pytest.mark.parametrize(
    ("field", "value"),
    [("idDocument", "4509 654321"), ("idDocument", "66666666q"), ("country", "DE")],
)
def test_kyc_5_a_mismatch_without_score(camara, subscriber, field, value):
    assert assert_success(match(camara, **{field: value})) == {f"{field}Match": "false"}


@pytest.mark.parametrize("field", NOT_HELD)
def test_properties_not_held_are_not_available(camara, subscriber, field):
    assert assert_success(match(camara, **{field: VALID_VALUES[field]})) == {f"{field}Match": "not_available"}


def test_nothing_on_record_is_not_available(camara, session, config):
    make_subscriber(session, config.PII_KEY, full_name="Смирнов Олег", email=None)
    body = assert_success(match(camara, middleNames="Петрович", email="oleg@example.ru", givenName="Олег"))
    assert body == {
        "middleNamesMatch": "not_available",
        "emailMatch": "not_available",
        "givenNameMatch": "true",
    }


def test_kyc_6_every_property_at_once(camara, subscriber):
    body = assert_success(match(camara, **VALID_VALUES))
    assert {key for key in body if key.endswith("Match")} == {f"{field}Match" for field in KYC_FIELDS}
    assert {field for field in HELD if body[f"{field}Match"] == "true"} == set(HELD)


def test_kyc_7_matching_id_document_with_other_properties(camara, subscriber):
    body = assert_success(
        match(camara, idDocument="4509 123456", familyName="Иванов", birthdate="1980-05-17")
    )
    assert body == {"idDocumentMatch": "true", "familyNameMatch": "true", "birthdateMatch": "not_available"}


# --- errors ----------------------------------------------------------------------------------------


def test_kyc_400_1_no_request_body(camara, subscriber):
    assert_error(camara.post(MATCH), 400, "INVALID_ARGUMENT")


def test_kyc_400_2_empty_body(camara, subscriber):
    assert_error(camara.post(MATCH, {}), 400, "INVALID_ARGUMENT")


@pytest.mark.parametrize(
    "fields",
    [
        {"name": 5},
        {"name": None},
        {"name": "x" * 257},
        {"idDocument": "1" * 51},
        {"email": "not-an-email"},
        {"gender": "male"},
        {"idDocumentType": "passport_ru"},
        {"birthdate": "17.05.1980"},
        {"country": "RUS"},
        {"passport": "4509 123456"},
        {"familyName": ["Иванов"]},
    ],
)
def test_kyc_400_3_body_not_schema_compliant(camara, subscriber, fields):
    assert_error(match(camara, **fields), 400, "INVALID_ARGUMENT")


def test_kyc_10_only_phone_number_is_an_invalid_combination(camara, subscriber):
    assert_error(
        camara.post(MATCH, {"phoneNumber": NUMBER}), 400, "KNOW_YOUR_CUSTOMER.INVALID_PARAM_COMBINATION"
    )


@pytest.mark.parametrize("phone_number", ["79161234567", "+7 916 123-45-67", "+0916", "+79161234567\n"])
def test_kyc_c02_01_phone_number_not_schema_compliant(camara, subscriber, phone_number):
    response = camara.post(MATCH, {"phoneNumber": phone_number, "familyName": "Иванов"})
    assert_error(response, 400, "INVALID_ARGUMENT")


def test_kyc_c02_02_unknown_number(camara, subscriber):
    response = camara.post(MATCH, {"phoneNumber": UNKNOWN_NUMBER, "familyName": "Иванов"})
    assert_error(response, 404, "IDENTIFIER_NOT_FOUND")


def test_an_unknown_number_runs_the_same_statements_as_ours_with_a_wrong_passport(app, camara, subscriber):
    """The budget (a failure reserved), one look-up (the SIMs joined) and the audit row, for both."""
    from tests.helpers.statements import captured_statements

    body = {"familyName": "Иванов", "idDocument": "4509 000000"}
    camara.post(MATCH, {"phoneNumber": "+79990000042", **body})  # the token is resolved (and cached)
    with captured_statements(app) as ours:
        assert camara.post(MATCH, {"phoneNumber": NUMBER, **body}).get_json()["idDocumentMatch"] == "false"
    with captured_statements(app) as unknown:
        assert camara.post(MATCH, {"phoneNumber": UNKNOWN_NUMBER, **body}).status_code == 404
    assert ours == unknown
    assert ours.kinds() == ["INSERT", "SELECT", "INSERT"]


def test_kyc_c02_04_missing_phone_number(camara, subscriber):
    assert_error(camara.post(MATCH, {"familyName": "Иванов"}), 422, "MISSING_IDENTIFIER")


# --- audit -----------------------------------------------------------------------------------------


def test_lookups_are_audited_with_fields_and_results_but_no_values(camara, session, subscriber):
    match(camara, familyName="Ivanov", idDocument="4509 123456", birthdate="1980-05-17")
    camara.post(MATCH, {"phoneNumber": UNKNOWN_NUMBER, "name": "Петров Пётр"})
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "camara.kyc_match")).all()
    assert [(event.actor, event.channel, event.subject) for event in events] == [
        ("api:bank", "api", NUMBER),
        ("api:bank", "api", UNKNOWN_NUMBER),
    ]
    assert events[0].details["fields"] == ["birthdate", "familyName", "idDocument"]
    assert events[0].details["result"] == {
        "familyName": "true",
        "idDocument": "true",
        "birthdate": "not_available",
    }
    assert events[1].details["result"] == "not_found"
    stored = json.dumps([event.details for event in events], ensure_ascii=False)
    for value in ("Ivanov", "4509", "123456", "1980", "Петров", "Иванов"):
        assert value not in stored
