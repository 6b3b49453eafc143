"""Turn the OpenAPI document into plain records a template can print (no Flask).

The docs page is rendered on the server from the very document at
``/api/v1/openapi.json``, so it cannot drift from the code, and it needs no
script at all (the strict Content-Security-Policy allows none inline, and a
vendored JavaScript viewer would need style exceptions).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
_SCHEMA_REF = "#/components/schemas/"


@dataclass(frozen=True)
class Property:
    """One property of a schema, or one parameter of an operation."""

    name: str
    type: str
    required: bool
    rules: tuple[str, ...]
    description: str
    schema_link: str | None = None


@dataclass(frozen=True)
class Example:
    """A named JSON example, already pretty-printed."""

    name: str
    json: str


@dataclass(frozen=True)
class ResponseDoc:
    """One documented status of an operation."""

    status: str
    description: str
    schema: str | None
    headers: tuple[str, ...]
    examples: tuple[Example, ...]


@dataclass(frozen=True)
class OperationDoc:
    """One method on one path."""

    anchor: str
    method: str
    path: str
    summary: str
    description: str
    role: str | None
    scopes: tuple[str, ...]
    parameters: tuple[Property, ...]
    body_schema: str | None
    body_examples: tuple[Example, ...]
    responses: tuple[ResponseDoc, ...]


@dataclass(frozen=True)
class SchemaDoc:
    """A component schema: a request or response body."""

    name: str
    description: str
    properties: tuple[Property, ...]


@dataclass
class TagDoc:
    """A group of operations (one API)."""

    name: str
    description: str
    operations: list[OperationDoc] = field(default_factory=list)


@dataclass(frozen=True)
class Reference:
    """Everything the page shows."""

    title: str
    version: str
    description: str
    tags: tuple[TagDoc, ...]
    schemas: tuple[SchemaDoc, ...]


def _ref_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref", "")
    return ref.removeprefix(_SCHEMA_REF) if ref.startswith(_SCHEMA_REF) else None


def _type_of(schema: dict[str, Any]) -> tuple[str, str | None]:
    """A readable type and, for a reference, the schema it links to."""
    name = _ref_name(schema)
    if name:
        return name, name
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _type_of(schema["allOf"][0])
    kind = schema.get("type", "any")
    if kind == "array":
        inner, link = _type_of(schema.get("items", {}))
        return f"array of {inner}", link
    if schema.get("format"):
        kind = f"{kind} ({schema['format']})"
    if schema.get("nullable"):
        kind = f"{kind} or null"
    return kind, None


def _rules(schema: dict[str, Any]) -> tuple[str, ...]:
    """Constraints worth telling a developer, in a fixed order."""
    rules = []
    if "enum" in schema:
        rules.append("one of " + ", ".join(json.dumps(value, ensure_ascii=False) for value in schema["enum"]))
    if "pattern" in schema:
        rules.append(f"pattern {schema['pattern']}")
    for key, label in (("minimum", "≥"), ("maximum", "≤")):
        if key in schema:
            rules.append(f"{label} {schema[key]}")
    for key, label in (("minLength", "min length"), ("maxLength", "max length")):
        if key in schema:
            rules.append(f"{label} {schema[key]}")
    if "default" in schema:
        rules.append(f"default {json.dumps(schema['default'], ensure_ascii=False)}")
    if "example" in schema:
        rules.append(f"e.g. {json.dumps(schema['example'], ensure_ascii=False)}")
    return tuple(rules)


def _property(name: str, schema: dict[str, Any], required: bool) -> Property:
    kind, link = _type_of(schema)
    return Property(
        name=name,
        type=kind,
        required=required,
        rules=_rules(schema),
        description=schema.get("description", ""),
        schema_link=link,
    )


def _examples(content: dict[str, Any]) -> tuple[Example, ...]:
    found = []
    if "example" in content:
        found.append(Example("", _pretty(content["example"])))
    for name, example in content.get("examples", {}).items():
        if "value" in example:
            found.append(Example(name, _pretty(example["value"])))
    return tuple(found)


def _pretty(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def _json_content(holder: dict[str, Any]) -> dict[str, Any]:
    return holder.get("content", {}).get("application/json", {})


def _response(status: str, response: dict[str, Any], components: dict[str, Any]) -> ResponseDoc:
    if "$ref" in response:
        response = components.get("responses", {}).get(response["$ref"].rsplit("/", 1)[-1], {})
    content = _json_content(response)
    schema = content.get("schema", {})
    return ResponseDoc(
        status=status,
        description=response.get("description", ""),
        schema=_ref_name(schema) or (_type_of(schema)[0] if schema else None),
        headers=tuple(response.get("headers", {})),
        examples=_examples(content),
    )


def _status_order(status: str) -> tuple[int, str]:
    return (int(status), "") if status.isdigit() else (1000, status)


def _operation(path: str, method: str, operation: dict[str, Any], components: dict[str, Any]) -> OperationDoc:
    parameters = tuple(
        _property(
            f"{p['name']} ({p['in']})",
            {"description": p.get("description", ""), **p.get("schema", {})},
            p.get("required", False),
        )
        for p in operation.get("parameters", [])
    )
    body = _json_content(operation.get("requestBody", {}))
    client = operation.get("x-api-client") or {}
    responses = sorted(operation.get("responses", {}).items(), key=lambda item: _status_order(item[0]))
    return OperationDoc(
        anchor=f"{method}-{path.strip('/').replace('/', '-')}",
        method=method.upper(),
        path=path,
        summary=operation.get("summary", ""),
        description=operation.get("description", ""),
        role=client.get("role"),
        scopes=tuple(client.get("scopes", ())),
        parameters=parameters,
        body_schema=_ref_name(body.get("schema", {})),
        body_examples=_examples(body),
        responses=tuple(_response(status, response, components) for status, response in responses),
    )


def _schema(name: str, schema: dict[str, Any]) -> SchemaDoc:
    required = set(schema.get("required", ()))
    return SchemaDoc(
        name=name,
        description=schema.get("description", ""),
        properties=tuple(
            _property(prop, prop_schema, prop in required)
            for prop, prop_schema in schema.get("properties", {}).items()
        ),
    )


def _used_schemas(document: dict[str, Any]) -> list[str]:
    """Names of the component schemas the operations use, directly or through other schemas."""
    schemas = document.get("components", {}).get("schemas", {})
    refs = re.compile(re.escape(_SCHEMA_REF) + r'([^"]+)"')
    pending = refs.findall(json.dumps(document.get("paths", {})))
    used: set[str] = set()
    while pending:
        name = pending.pop()
        if name not in used and name in schemas:
            used.add(name)
            pending.extend(refs.findall(json.dumps(schemas[name])))
    return [name for name in schemas if name in used]


def build_reference(document: dict[str, Any]) -> Reference:
    """Group the document's operations by tag and list its schemas."""
    components = document.get("components", {})
    tags = {tag["name"]: TagDoc(tag["name"], tag.get("description", "")) for tag in document.get("tags", [])}
    for path, item in document.get("paths", {}).items():
        for method in HTTP_METHODS:
            if method in item:
                # Parameters declared on the path (an id in the URL) belong to each of its operations.
                shared = item.get("parameters", [])
                operation = {**item[method], "parameters": [*shared, *item[method].get("parameters", [])]}
                tag = (operation.get("tags") or ["API"])[0]
                tags.setdefault(tag, TagDoc(tag, "")).operations.append(
                    _operation(path, method, operation, components)
                )
    info = document.get("info", {})
    return Reference(
        title=info.get("title", ""),
        version=info.get("version", ""),
        description=info.get("description", ""),
        tags=tuple(tag for tag in tags.values() if tag.operations),
        schemas=tuple(_schema(name, components["schemas"][name]) for name in _used_schemas(document)),
    )
