"""The OpenAPI document is written on first use, once, and documents every API route."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

READERS = 6


def _documented_path(rule: str) -> str:
    """``/api/v1/tickets/<uuid:ticket_id>`` as OpenAPI writes it: ``/api/v1/tickets/{ticket_id}``."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_parallel_first_readers_get_one_whole_document(app):
    barrier = threading.Barrier(READERS)

    def read(_):
        client = app.test_client()
        barrier.wait()
        return client.get("/api/v1/openapi.json").get_json()

    with ThreadPoolExecutor(READERS) as pool:
        documents = list(pool.map(read, range(READERS)))

    assert all(document == documents[0] for document in documents)
    document = documents[0]
    api_blueprints = set(app.extensions["flask-smorest"]["blp_name_to_api"])
    routes = {
        _documented_path(rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.partition(".")[0] in api_blueprints
    }
    assert routes and routes <= set(document["paths"])
    assert {tag["name"] for tag in document["tags"]} == api_blueprints
    assert document["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
