"""The API shell: one OpenAPI document and the JSON error shape on API paths only."""

import pytest


def test_openapi_document_is_served_with_the_bearer_scheme(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert set(document["components"]["schemas"]["ErrorInfo"]["required"]) == {"status", "code", "message"}


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/camara/no-such-api/v1/x"])
def test_unknown_api_paths_answer_in_the_json_error_shape(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.get_json() == {
        "status": 404,
        "code": "NOT_FOUND",
        "message": "The specified resource is not found.",
    }


def test_web_paths_keep_html_errors(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.content_type.startswith("text/html")


def test_wrong_method_on_the_document_is_json(client):
    response = client.post("/api/v1/openapi.json")
    assert response.status_code == 405
    assert response.get_json()["code"] == "METHOD_NOT_ALLOWED"
