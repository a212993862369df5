"""The API's building blocks: the flask-smorest Api, request parsing and documentation helpers.

Bodies and query strings are parsed here rather than by webargs so that every failure is
the problem the issue asks for, in this order: 415 (not JSON), 413 (too large), 400
(malformed JSON), 422 (fields, each named).
"""

from __future__ import annotations

import http
import re
from collections.abc import Callable
from typing import Any, TypeVar

import marshmallow as ma
from flask import json, request
from flask_smorest import Api, Blueprint
from werkzeug.exceptions import BadRequest

from desk.web.api.problems import PROBLEM_JSON, ApiProblem, FieldError, invalid
from desk.web.api.schemas import ProblemSchema

F = TypeVar("F", bound=Callable[..., Any])

JSON_TYPES = ("application/json",)
BEARER = "bearerAuth"

# Problem responses, referenced from each operation by their HTTP status name.
PROBLEM_HEADERS: dict[int, dict[str, Any]] = {
    401: {
        "WWW-Authenticate": {
            "description": "The authentication scheme to use (Bearer, or CaseToken).",
            "schema": {"type": "string"},
            "required": True,
        }
    },
    405: {
        "Allow": {
            "description": "The methods the resource supports.",
            "schema": {"type": "string"},
            "required": True,
        }
    },
    429: {
        "Retry-After": {
            "description": "Seconds to wait before trying again.",
            "schema": {"type": "integer", "minimum": 0},
            "required": True,
        }
    },
}


class DeskApi(Api):  # type: ignore[misc]
    """flask-smorest's Api with problem+json responses and no error handler of its own.

    The desk's own handler (desk.web.errors) answers API errors with problem+json and keeps
    the HTML error pages everywhere else.
    """

    DEFAULT_ERROR_RESPONSE_NAME = None
    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        return None

    def _register_pagination_header(self) -> None:
        return None  # the desk paginates with cursors in the body, not flask-smorest's header

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            if status < 400:
                continue
            response: dict[str, Any] = {
                "description": status.phrase,
                "content": {PROBLEM_JSON: {"schema": ProblemSchema}},
            }
            if status in PROBLEM_HEADERS:
                response["headers"] = PROBLEM_HEADERS[status]
            self.spec.components.response(status.name, response, lazy=True)


def problems(blp: Blueprint, *codes: int) -> Callable[[F], F]:
    """Document the problem responses an operation can give (plus 429, always possible)."""

    def decorator(func: F) -> F:
        for code in sorted({*codes, 429}, reverse=True):
            func = blp.alt_response(code, response=http.HTTPStatus(code).name)(func)
        return func

    return decorator


def json_body_doc(blp: Blueprint, schema: type[ma.Schema], description: str = "") -> Any:
    """Document a required JSON request body."""
    body: dict[str, Any] = {
        "required": True,
        "content": {"application/json": {"schema": schema}},
    }
    if description:
        body["description"] = description
    return blp.doc(requestBody=body)


def query_doc(blp: Blueprint, schema: type[ma.Schema]) -> Any:
    """Document the query parameters of a schema."""
    return blp.doc(parameters=[{"in": "query", "schema": schema}])


def header_doc(blp: Blueprint, *parameters: dict[str, Any]) -> Any:
    """Document header parameters."""
    return blp.doc(parameters=[{"in": "header", **p} for p in parameters])


def security(*scopes: str) -> dict[str, Any]:
    """blp.doc(**security("write")): a bearer token with these scopes (OpenAPI 3.1 roles)."""
    return {"security": [{BEARER: list(scopes)}]}


# --- parsing --------------------------------------------------------------------------------


def _codes(messages: Any, location: str) -> list[FieldError]:
    """Marshmallow's messages (our messages are codes) as field errors."""
    errors = []
    for name, found in dict(messages).items():
        code = "invalid"
        if isinstance(found, list) and found and isinstance(found[0], str):
            code = found[0]
        errors.append(FieldError(str(name), code, location))
    return errors


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# No body of ours nests deeper than a few levels; a deep one is an attack on the parser
# (1,200 `[` make json.loads raise RecursionError, a 500 before this check).
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)


def json_depth(raw: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest (strings are skipped)."""
    depth = deepest = 0
    for byte in _JSON_STRING.sub(b"", raw):
        if byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


def read_json_object() -> dict[str, Any]:
    """The request body as a JSON object: 415, 413, 400 or 422 when it is not one."""
    if request.mimetype not in JSON_TYPES:
        raise ApiProblem(
            "unsupported-media-type",
            headers={"Accept-Post": "application/json"},
        )
    raw = request.get_data(cache=True)  # 413 when over MAX_CONTENT_LENGTH
    if json_depth(raw) > MAX_JSON_DEPTH:
        raise ApiProblem("malformed-json", f"nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        data = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError, BadRequest) as exc:
        raise ApiProblem("malformed-json", str(exc)[:200]) from exc
    if not isinstance(data, dict):
        raise ApiProblem("validation", errors=[FieldError("", "invalid", "body")])
    return data


def split_load(schema: ma.Schema, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Load what is valid and report the rest: (valid fields, field -> error code)."""
    try:
        return schema.load(data), {}
    except ma.ValidationError as exc:
        errors = {e.field: e.code for e in _codes(exc.messages, "body")}
        valid = exc.valid_data if isinstance(exc.valid_data, dict) else {}
        return {k: v for k, v in valid.items() if k not in errors}, errors


def load_body(schema: type[ma.Schema]) -> dict[str, Any]:
    """Parse and validate a JSON body against the schema (422 naming each invalid field)."""
    data = read_json_object()
    loaded, errors = split_load(schema(), data)
    if errors:
        raise invalid(errors)
    return loaded


def load_query(schema: type[ma.Schema]) -> dict[str, Any]:
    """Parse the query string (unknown parameters are ignored, repeats only for lists)."""
    instance = schema(unknown=ma.EXCLUDE)
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, field in instance.fields.items():
        values = request.args.getlist(name)
        if not values:
            continue
        if isinstance(field, ma.fields.List):
            data[name] = values
        elif len(values) > 1:
            errors[name] = "invalid"
        else:
            data[name] = values[0]
    try:
        loaded: dict[str, Any] = instance.load(data)
    except ma.ValidationError as exc:
        for error in _codes(exc.messages, "query"):
            errors.setdefault(error.field, error.code)
        loaded = {}
    if errors:
        raise invalid(errors, location="query")
    return loaded
