"""The staff and team pages in a real browser: axe-clean (WCAG 2.1 AA) with and without
errors, and a staff member added, deactivated and reactivated by an administrator."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import ADMIN, assert_accessible

pytestmark = pytest.mark.browser


def test_staff_pages_pass_axe_and_work_by_their_labels(new_page: Any) -> None:
    page = new_page(signed_in_as=ADMIN)
    page.goto("/admin/users?lang=en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff")
    assert_accessible(page, "staff list")

    page.get_by_role("button", name="Add staff member").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator("#email")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "staff list with errors")

    email = f"e2e-{uuid.uuid4().hex[:8]}@lahti.example"
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Name", exact=True).fill("Eetu Kokeilija")
    page.get_by_label("Role").select_option("adviser")
    page.get_by_label("Authority").select_option("lahti")
    page.get_by_label("Lahti employer services").check()
    page.get_by_label("First password").fill("e2e-password-2026")
    page.get_by_role("button", name="Add staff member").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Eetu Kokeilija")
    assert_accessible(page, "staff member page")

    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_text("Inactive").first).to_be_visible()
    page.get_by_role("button", name="Reactivate").click()
    expect(page.get_by_role("button", name="Deactivate")).to_be_visible()
    expect(page.get_by_role("cell", name="Deactivated")).to_be_visible()


def test_teams_page_passes_axe(new_page: Any) -> None:
    page = new_page(signed_in_as=ADMIN)
    page.goto("/admin/teams?lang=en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Teams")
    assert_accessible(page, "teams page")
    page.get_by_role("button", name="Create team").click()
    expect(page.locator("#slug")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "teams page with errors")
