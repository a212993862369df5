"""The API's "done when", on the real desk (gunicorn, worker, beat): an administrator creates a
token in the browser, and a system uses it over HTTP to list the team's cases; a case
submitted twice with one Idempotency-Key is one case; a revoked token stops working. The
tokens page and the API reference pass axe-core's WCAG 2.1 A/AA rules."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest

from tests.e2e.helpers import ADMIN, ADVISER_PAIJAT_HAME, assert_accessible, screenshot

PH = "paijat-hame-employer-services"


def call(
    base: str, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], Any]:
    """One HTTP request as curl would send it: (status, headers, parsed JSON)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


@pytest.mark.browser
def test_a_token_from_the_admin_page_lists_the_teams_cases(new_page, desk_stack, shots_dir):
    from playwright.sync_api import expect

    page = new_page(signed_in_as=ADMIN)
    page.goto("/admin/api-tokens/?lang=en")
    expect(page.get_by_role("heading", name="API tokens", level=1)).to_be_visible()
    assert_accessible(page, "API tokens page")

    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page, "API tokens page with errors")

    page.get_by_label("Acts as").select_option(
        label=f"Pekka Adviser (Päijät-Häme) ({ADVISER_PAIJAT_HAME})"
    )
    page.get_by_label("Name of the token").fill("Orimattila website")
    page.get_by_label("write: claim, assign, reply, note, change status, transfer").check()
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("heading", name="Copy the new token now")).to_be_visible()
    token = page.get_by_label("Your new token").input_value()
    assert token.startswith("desk_")
    assert_accessible(page, "API tokens page showing a new token")
    screenshot(page, shots_dir, "api-tokens-created")

    base = desk_stack.base_url
    auth = {"Authorization": f"Bearer {token}"}
    status, _, me = call(base, "GET", "/api/v1/staff/me", headers=auth)
    assert status == 200 and me["user"]["email"] == ADVISER_PAIJAT_HAME
    status, _, teams = call(base, "GET", "/api/v1/staff/teams", headers=auth)
    assert status == 200 and PH in [team["slug"] for team in teams]

    request = {
        "business_id": "0737546-2",
        "organisation_name": "Orimattilan Puutyö Oy",
        "contact_name": "Eeva Employer",
        "email": "eeva.employer@example.fi",
        "municipality": "Orimattila",
        "need": "recruitment",
        "description": "Two carpenters from May.",
        "language": "en",
    }
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first_status, first_headers, first = call(base, "POST", "/api/v1/cases", request, key)
    again_status, _, again = call(base, "POST", "/api/v1/cases", request, key)
    assert (first_status, again_status) == (201, 200)
    assert again["reference"] == first["reference"] and first["team"] == PH
    assert first_headers["Location"] == f"/api/v1/cases/{first['reference']}"

    listed, cursor = [], ""
    while True:
        status, _, page_of_cases = call(
            base, "GET", f"/api/v1/staff/teams/{PH}/cases?limit=5{cursor}", headers=auth
        )
        assert status == 200
        listed.extend(item["reference"] for item in page_of_cases["items"])
        if page_of_cases["next_cursor"] is None:
            break
        cursor = f"&cursor={page_of_cases['next_cursor']}"
    assert listed.count(first["reference"]) == 1

    page.goto("/admin/api-tokens/?lang=en")
    row = page.locator(f"[data-testid='token-{token[:12]}']")
    expect(row).to_contain_text("Orimattila website")
    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("status")).to_contain_text("was revoked")
    status, headers, problem = call(base, "GET", "/api/v1/staff/me", headers=auth)
    assert status == 401 and headers["Content-Type"] == "application/problem+json"
    assert problem["type"] == "/api/v1/problems/unauthorized"


@pytest.mark.browser
def test_the_api_reference_is_accessible(new_page, shots_dir):
    from playwright.sync_api import expect

    page = new_page()
    page.goto("/api/v1/docs?lang=en")
    expect(page.get_by_role("heading", name="API reference", level=1)).to_be_visible()
    expect(page.locator("#op-submitCase")).to_contain_text("/api/v1/cases")
    assert_accessible(page, "API reference")
    screenshot(page, shots_dir, "api-reference")
