"""Reading an OpenAPI document into the records the reference page prints."""

from recovery.apidocs.reference import build_reference

DOCUMENT = {
    "info": {"title": "T", "version": "1", "description": "D"},
    "tags": [{"name": "Swap", "description": "SIM swap"}, {"name": "Unused"}],
    "paths": {
        "/camara/x/check": {
            "post": {
                "tags": ["Swap"],
                "summary": "Check",
                "x-api-client": {"role": "partner", "scopes": ["x:check"]},
                "parameters": [
                    {
                        "in": "header",
                        "name": "x-correlator",
                        "description": "Echoed",
                        "schema": {"type": "string"},
                    }
                ],
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/Req"},
                            "example": {"maxAge": 240},
                        }
                    }
                },
                "responses": {
                    "default": {"$ref": "#/components/responses/DEFAULT_ERROR"},
                    "400": {
                        "description": "Bad",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Err"},
                                "examples": {"OUT_OF_RANGE": {"value": {"code": "OUT_OF_RANGE"}}},
                            }
                        },
                    },
                    "200": {
                        "description": "OK",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                },
            }
        }
    },
    "components": {
        "schemas": {
            "Req": {
                "type": "object",
                "required": ["maxAge"],
                "properties": {
                    "maxAge": {
                        "type": "integer",
                        "format": "int32",
                        "minimum": 1,
                        "maximum": 2400,
                        "default": 240,
                    },
                    "kind": {"type": "string", "enum": ["a", "b"], "nullable": True},
                    "inner": {"$ref": "#/components/schemas/Inner"},
                },
            },
            "Inner": {"type": "object", "properties": {}},
            "Err": {"type": "object"},
            "Orphan": {"type": "object"},
        },
        "responses": {"DEFAULT_ERROR": {"description": "Default error response"}},
    },
}


def test_operations_are_grouped_by_tag_and_empty_tags_dropped():
    reference = build_reference(DOCUMENT)
    assert [tag.name for tag in reference.tags] == ["Swap"]
    operation = reference.tags[0].operations[0]
    assert (operation.method, operation.path, operation.anchor) == (
        "POST",
        "/camara/x/check",
        "post-camara-x-check",
    )
    assert (operation.role, operation.scopes) == ("partner", ("x:check",))
    assert operation.parameters[0].name == "x-correlator (header)"
    assert operation.parameters[0].description == "Echoed"
    assert operation.body_schema == "Req"
    assert operation.body_examples[0].json == '{\n  "maxAge": 240\n}'


def test_responses_are_in_status_order_with_references_resolved():
    responses = build_reference(DOCUMENT).tags[0].operations[0].responses
    assert [r.status for r in responses] == ["200", "400", "default"]
    assert responses[1].schema == "Err"
    assert responses[1].examples[0].name == "OUT_OF_RANGE"
    assert responses[2].description == "Default error response"


def test_schema_properties_carry_their_rules():
    schemas = {schema.name: schema for schema in build_reference(DOCUMENT).schemas}
    assert set(schemas) == {"Req", "Inner", "Err"}  # only schemas the operations use
    max_age, kind, inner = schemas["Req"].properties
    assert (max_age.type, max_age.required) == ("integer (int32)", True)
    assert max_age.rules == ("≥ 1", "≤ 2400", "default 240")
    assert (kind.type, kind.rules) == ("string or null", ('one of "a", "b"',))
    assert (inner.type, inner.schema_link) == ("Inner", "Inner")
