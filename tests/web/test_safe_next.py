"""Finding: `_safe_next` let sign-in lead off-site (issue 14)."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD

OFF_SITE = [
    "/\\evil.example",
    "///evil.example",
    "//evil.example",
    "/\\/evil.example",
    "/\t/evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "evil.example",
    "javascript:alert(1)",
    "/%0a/evil.example\n",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_in_never_leads_off_site(client, staff, target: str) -> None:
    staff("adviser@example.fi")
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": "adviser@example.fi", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"


def test_a_same_site_path_is_followed(client, staff) -> None:
    staff("adviser@example.fi")
    response = client.post(
        "/login",
        query_string={"next": "/staff/search?q=a"},
        data={"email": "adviser@example.fi", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/staff/search?q=a"
