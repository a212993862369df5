"""The OpenAPI 3.1 document is generated from the code, valid, and complete; the reference page
is generated from it."""

import re

from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from desk.web.api.problems import PROBLEM_TYPES

UNDOCUMENTED = {"/api/v1/openapi.json", "/api/v1/docs", "/api/v1/problems/{name}"}


def spec_of(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_the_document_is_valid_openapi_3_1(client):
    spec = spec_of(client)
    assert spec["openapi"] == "3.1.0"
    validate(spec)  # raises on any violation of the OpenAPI 3.1 schema


def test_the_validator_really_validates():
    try:
        validate({"openapi": "3.1.0", "info": {"title": "x"}, "paths": {}})
    except OpenAPIValidationError:
        return
    raise AssertionError("an info without version must be invalid")


def test_every_route_is_documented_and_every_documented_route_exists(app, client):
    spec = spec_of(client)
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        if path.startswith("/api/") and path not in UNDOCUMENTED:
            routes.setdefault(path, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    documented = {
        path: {method.upper() for method in item if method in ("get", "post", "put", "delete")}
        for path, item in spec["paths"].items()
    }
    assert documented == routes


def test_operations_have_ids_problem_responses_and_security(client):
    spec = spec_of(client)
    responses = spec["components"]["responses"]
    ids = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            ids.append(op["operationId"])
            assert "429" in op["responses"], (method, path)
            for status, response in op["responses"].items():
                if int(status) >= 400:
                    resolved = responses[response["$ref"].rsplit("/", 1)[-1]]
                    assert list(resolved["content"]) == ["application/problem+json"]
            secured = bool(op.get("security"))
            assert secured == path.startswith(("/api/v1/staff/", "/api/v1/reports/")), path
            if secured:
                assert "401" in op["responses"], path
                scopes = op["security"][0]["bearerAuth"]
                assert ("403" in op["responses"]) == bool(scopes), path
    assert len(ids) == len(set(ids)) == 17
    assert responses["TOO_MANY_REQUESTS"]["headers"]["Retry-After"]["required"] is True
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    submit = spec["paths"]["/api/v1/cases"]["post"]
    assert set(submit["responses"]["201"]["links"]) >= {"getCase", "postCaseMessage"}
    body = spec["components"]["schemas"]["CaseSubmission"]
    assert body["additionalProperties"] is False
    assert set(body["required"]) == {
        "business_id",
        "organisation_name",
        "contact_name",
        "email",
        "municipality",
        "need",
        "description",
        "language",
    }
    assert body["properties"]["affected_employees"]["type"] == ["integer", "null"]


def test_the_reference_page_is_generated_from_the_document(client):
    spec = spec_of(client)
    response = client.get("/api/v1/docs?lang=en")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method != "parameters":
                assert f'id="op-{op["operationId"]}"' in html
                assert f"<code>{path}</code>" in html
    for name in spec["components"]["schemas"]:
        assert f'id="schema-{name}"' in html
    for kind in PROBLEM_TYPES:
        assert f'id="problem-{kind}"' in html
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing from elsewhere
    assert "API reference" in html


def test_problem_types_resolve_to_their_explanation(client):
    response = client.get("/api/v1/problems/validation")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/api/v1/docs#problem-validation")
