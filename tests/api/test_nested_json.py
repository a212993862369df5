"""Finding: 1,200 nested `[` gave a 500 on every JSON endpoint (issue 14)."""

from __future__ import annotations

import re

import pytest

from desk.web.api.core import json_depth

DEEP = b"[" * 1200


def _json_endpoints(app) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        for method in sorted((rule.methods or set()) & {"POST", "PUT", "PATCH"}):
            found.append((method, re.sub(r"<[^>]+>", "x", rule.rule)))
    return found


def test_there_are_json_endpoints_to_try(app) -> None:
    assert len(_json_endpoints(app)) >= 5


def test_deep_nesting_is_a_400_on_every_json_endpoint(app, client, staff, token_for) -> None:
    adviser = staff("adviser@example.fi")
    headers = token_for(adviser, ("read", "write", "reports"))
    for method, path in _json_endpoints(app):
        for body in (DEEP, b'{"a":' * 1200):
            response = client.open(
                path,
                method=method,
                data=body,
                headers={**headers, "X-Case-Token": "x", "Content-Type": "application/json"},
            )
            assert response.status_code < 500, (method, path, response.status_code)
    response = client.post("/api/v1/cases", data=DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json(force=True)["type"] == "/api/v1/problems/malformed-json"


@pytest.mark.parametrize(
    ("raw", "depth"),
    [(b"{}", 1), (b"[[],[[]]]", 3), (b'["[[[[", "\\"[["]', 1), (b'{"a": {"b": [1]}}', 3)],
)
def test_depth_skips_brackets_inside_strings(raw: bytes, depth: int) -> None:
    assert json_depth(raw) == depth
