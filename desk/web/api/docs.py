"""The API's human-readable reference, rendered on the server from the OpenAPI document.

The page is built from the same document /api/v1/openapi.json serves (no JavaScript, no
assets from elsewhere), so it cannot drift from the code either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, url_for
from werkzeug.wrappers import Response

from desk.web.api.problems import PROBLEM_TYPES

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")

METHODS = ("get", "post", "put", "patch", "delete")
_CONSTRAINTS = (
    ("minLength", "min length"),
    ("maxLength", "max length"),
    ("minimum", "≥"),
    ("maximum", "≤"),
    ("pattern", "pattern"),
    ("default", "default"),
)


@dataclass
class Row:
    """A field or parameter: name, where, type, required, constraints, description."""

    name: str
    type: str
    required: bool
    constraints: str
    description: str
    location: str = ""
    ref: str = ""


@dataclass
class ResponseDoc:
    status: str
    description: str
    media: str
    schema: str
    headers: list[str] = field(default_factory=list)


@dataclass
class Operation:
    method: str
    path: str
    operation_id: str
    summary: str
    description: str
    scopes: list[str] | None  # None: public
    parameters: list[Row]
    body: str
    responses: list[ResponseDoc]


def _ref_name(schema: dict[str, Any]) -> str:
    ref = schema.get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref else ""


def type_of(schema: dict[str, Any]) -> tuple[str, str]:
    """A short type ("string", "array of Case", "integer or null") and a schema to link."""
    if "$ref" in schema:
        name = _ref_name(schema)
        return name, name
    if "anyOf" in schema:
        parts = [type_of(s) for s in schema["anyOf"]]
        return " or ".join(p[0] for p in parts), next((p[1] for p in parts if p[1]), "")
    kind = schema.get("type", "any")
    kinds = kind if isinstance(kind, list) else [kind]
    words = []
    link = ""
    for one in kinds:
        if one == "array":
            inner, link = type_of(schema.get("items", {}))
            words.append(f"array of {inner}")
        else:
            words.append(str(one))
    text = " or ".join(words)
    if "format" in schema:
        text += f" ({schema['format']})"
    return text, link


def constraints_of(schema: dict[str, Any]) -> str:
    """Enumerations and limits in a few words."""
    parts = []
    items = schema.get("items", {}) if schema.get("type") == "array" else {}
    enum = schema.get("enum") or items.get("enum")
    if enum:
        parts.append("one of " + ", ".join(str(v) for v in enum if v is not None))
    for key, label in _CONSTRAINTS:
        if key in schema:
            parts.append(f"{label} {schema[key]}")
    if "example" in schema:
        parts.append(f"e.g. {schema['example']}")
    return "; ".join(parts)


def schema_rows(schema: dict[str, Any]) -> list[Row]:
    required = set(schema.get("required", []))
    rows = []
    for name, prop in schema.get("properties", {}).items():
        kind, ref = type_of(prop)
        description = prop.get("description", "")
        rows.append(Row(name, kind, name in required, constraints_of(prop), description, ref=ref))
    return rows


def _operations(spec: dict[str, Any]) -> dict[str, list[Operation]]:
    by_tag: dict[str, list[Operation]] = {}
    responses = spec.get("components", {}).get("responses", {})
    for path, item in spec.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            params = []
            for p in [*shared, *op.get("parameters", [])]:
                kind, ref = type_of(p.get("schema", {}))
                params.append(
                    Row(
                        p["name"],
                        kind,
                        bool(p.get("required")),
                        constraints_of(p.get("schema", {})),
                        p.get("description", ""),
                        p["in"],
                        ref,
                    )
                )
            body = ""
            if "requestBody" in op:
                body = _ref_name(op["requestBody"]["content"]["application/json"]["schema"])
            docs = []
            for status, response in sorted(op.get("responses", {}).items()):
                if "$ref" in response:
                    response = responses.get(_ref_name(response), {})
                media, schema_name = "", ""
                for media_type, content in response.get("content", {}).items():
                    media = media_type
                    schema_name = type_of(content.get("schema", {}))[0]
                headers = list(response.get("headers", {}))
                docs.append(
                    ResponseDoc(
                        status, response.get("description", ""), media, schema_name, headers
                    )
                )
            security = op.get("security")
            scopes = (
                None if not security else [s for req in security for s in next(iter(req.values()))]
            )
            operation = Operation(
                method.upper(),
                path,
                op.get("operationId", ""),
                op.get("summary", ""),
                op.get("description", ""),
                scopes,
                params,
                body,
                docs,
            )
            for tag in op.get("tags", ["api"]):
                by_tag.setdefault(tag, []).append(operation)
    return by_tag


@bp.get("/docs")
def reference() -> str:
    spec = current_app.extensions["desk.api"].spec.to_dict()
    schemas = spec.get("components", {}).get("schemas", {})
    tags = {tag["name"]: tag.get("description", "") for tag in spec.get("tags", [])}
    return render_template(
        "api/reference.html",
        spec=spec,
        tags=tags,
        operations=_operations(spec),
        schemas={name: schema_rows(schema) for name, schema in schemas.items()},
        schema_descriptions={name: s.get("description", "") for name, s in schemas.items()},
        problem_types=PROBLEM_TYPES.values(),
    )


@bp.get("/problems/<name>")
def problem_type(name: str) -> Response:
    """Problem type URIs resolve to their explanation on the reference page."""
    anchor = f"#problem-{name}" if name in PROBLEM_TYPES else ""
    return redirect(url_for("api_docs.reference") + anchor, 303)
