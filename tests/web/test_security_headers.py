"""Finding: no security headers. Every response carries them (issue 14)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import login

PAGES = ["/", "/login", "/request", "/api/v1/docs", "/no-such-page", "/healthz"]


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(client, path: str) -> None:
    response = client.get(path)
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "object-src 'none'" in csp and "base-uri 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in headers  # test mode: plain HTTP is fine


def test_each_request_gets_its_own_style_nonce(client) -> None:
    nonces = {
        re.search(r"'nonce-([^']+)'", client.get("/").headers["Content-Security-Policy"])[1]
        for _ in range(3)
    }
    assert len(nonces) == 3


def test_staff_pages_are_not_stored(client, staff) -> None:
    staff("adviser@example.fi")
    login(client, "adviser@example.fi")
    response = client.get("/staff/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_static_files_keep_their_caching(client) -> None:
    response = client.get("/static/desk.css")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_production_adds_hsts(app) -> None:
    app.config["ENV"] = "production"
    response = app.test_client().get("/")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_pages_have_no_inline_script_or_handler(client, staff) -> None:
    """What the CSP would block: inline <script>, on*= handlers, style= attributes."""
    staff("adviser@example.fi")
    for path in ("/", "/request", "/login"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), path
        assert not re.search(r"\son[a-z]+\s*=", html), path
        assert not re.search(r"\sstyle\s*=", html), path
