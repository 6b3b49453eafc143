"""The partner operations in the one OpenAPI document, as CAMARA clients expect them."""

import pytest

OPERATIONS = {
    "/camara/kyc-match/v0.4/match": ("kyc-match:match", "KYC_MatchRequestBody", "KYC_MatchResponse"),
    "/camara/sim-swap/v2/retrieve-date": ("sim-swap:retrieve-date", "CreateSimSwapDate", "SimSwapInfo"),
    "/camara/sim-swap/v2/check": ("sim-swap:check", "CreateCheckSimSwap", "CheckSimSwapInfo"),
    "/camara/number-recycling/v0.2/check": (
        "number-recycling:check",
        "CreateCheckNumRecycling",
        "CheckNumRecyclingInfo",
    ),
    "/camara/kyc-tenure/v0.2/check-tenure": ("kyc-tenure:check-tenure", "Tenure", "TenureInfo"),
}


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").get_json()


@pytest.mark.parametrize("path", OPERATIONS)
def test_operation_is_documented_with_security_schemas_errors_and_correlator(document, path):
    scope, request_schema, response_schema = OPERATIONS[path]
    operation = document["paths"][path]["post"]
    assert operation["security"] == [{"bearerAuth": []}]
    assert operation["x-api-client"] == {"role": "partner", "scopes": [scope]}
    assert operation["requestBody"]["required"] is True
    body = operation["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": f"#/components/schemas/{request_schema}"}
    assert body["example"]["phoneNumber"] == "+79161234567"
    assert [(p["in"], p["name"]) for p in operation["parameters"]] == [("header", "x-correlator")]
    assert {"200", "400", "401", "403", "404", "422", "429"} <= set(operation["responses"])
    ok = operation["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": f"#/components/schemas/{response_schema}"}
    for status, response in operation["responses"].items():
        if status != "default":
            assert "x-correlator" in response["headers"]
        if status.startswith("4"):
            content = response["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/ErrorInfo"}
            assert all(ex["value"]["status"] == int(status) for ex in content["examples"].values())


def test_camara_schemas(document):
    schemas = document["components"]["schemas"]
    phone = schemas["KYC_MatchRequestBody"]["properties"]["phoneNumber"]
    assert phone["pattern"] == r"^\+[1-9][0-9]{4,14}$"
    assert schemas["KYC_MatchRequestBody"]["minProperties"] == 1
    assert schemas["KYC_MatchRequestBody"]["additionalProperties"] is False
    max_age = schemas["CreateCheckSimSwap"]["properties"]["maxAge"]
    assert (max_age["minimum"], max_age["maximum"], max_age["default"]) == (1, 2400, 240)
    latest = schemas["SimSwapInfo"]["properties"]["latestSimChange"]
    assert latest["nullable"] is True and latest["format"] == "date-time"
    assert schemas["SimSwapInfo"]["required"] == ["latestSimChange"]
    assert schemas["CheckSimSwapInfo"]["properties"]["swapped"]["type"] == "boolean"
    response = schemas["KYC_MatchResponse"]["properties"]
    assert response["nameMatch"]["enum"] == ["true", "false", "not_available"]
    assert (response["nameMatchScore"]["minimum"], response["nameMatchScore"]["maximum"]) == (0, 99)
    assert "idDocumentMatchScore" not in response and "postalCodeMatchScore" not in response


@pytest.mark.parametrize(
    "path",
    [
        "/camara/sim-swap/v2/check",
        "/camara/number-recycling/v0.2/check",
        "/camara/kyc-tenure/v0.2/check-tenure",
    ],
)
def test_check_documents_out_of_range(document, path):
    examples = document["paths"][path]["post"]["responses"]["400"]["content"]["application/json"]["examples"]
    assert set(examples) == {"INVALID_ARGUMENT", "OUT_OF_RANGE"}


def test_recycling_and_tenure_schemas_as_published(document):
    """Names, required fields, formats and enums of the published Number Recycling and KYC Tenure."""
    schemas = document["components"]["schemas"]
    for name, date_field in (("CreateCheckNumRecycling", "specifiedDate"), ("Tenure", "tenureDate")):
        assert schemas[name]["required"] == [date_field]
        assert schemas[name]["properties"][date_field] == {
            **schemas[name]["properties"][date_field],
            "type": "string",
            "format": "date",
        }
        assert schemas[name]["properties"]["phoneNumber"]["pattern"] == r"^\+[1-9][0-9]{4,14}$"
    assert schemas["CheckNumRecyclingInfo"]["required"] == ["phoneNumberRecycled"]
    assert schemas["CheckNumRecyclingInfo"]["properties"]["phoneNumberRecycled"]["type"] == "boolean"
    assert schemas["TenureInfo"]["required"] == ["tenureDateCheck"]
    assert schemas["TenureInfo"]["properties"]["contractType"]["enum"] == ["PAYG", "PAYM", "Business"]
