"""The staff and team pages in a real browser: axe-clean (WCAG 2.1 AA) with and without
errors, and a staff member added, deactivated and reactivated by an administrator."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Stack
from tests.e2e.helpers import ADMIN, assert_accessible, text_of, wait_for_mail

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


SET_PASSWORD_LINK = re.compile(r"https?://[^/\s]+(/set-password/[A-Za-z0-9_.\-]+)")


def test_an_invited_person_chooses_a_password_from_the_email_and_signs_in(
    desk_stack: Stack, new_page: Any
) -> None:
    admin = new_page(signed_in_as=ADMIN)
    admin.goto("/admin/users?lang=en")
    email = f"invited-{uuid.uuid4().hex[:8]}@lahti.example"
    admin.get_by_label("Email address").fill(email)
    admin.get_by_label("Name", exact=True).fill("Kaisa Kutsuttu")
    admin.get_by_label("Role").select_option("adviser")
    admin.get_by_label("Authority").select_option("lahti")
    admin.get_by_label("Invite by email").check()
    admin.get_by_role("button", name="Add staff member").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Kaisa Kutsuttu")

    mail = wait_for_mail(desk_stack.mail_dir, lambda m: m["To"] == email, "the invitation")
    found = SET_PASSWORD_LINK.search(text_of(mail))
    assert found is not None, text_of(mail)
    person = new_page()
    for language in ("fi", "sv", "en"):
        person.goto(f"{found.group(1)}?lang={language}")
        assert_accessible(person, f"set-password page {language}")
    person.get_by_label("New password", exact=True).fill("short")
    person.get_by_label("The new password again").fill("short")
    person.get_by_role("button", name="Set password").click()
    expect(person.locator("#password")).to_have_attribute("aria-invalid", "true")
    assert_accessible(person, "set-password page with an error")
    person.get_by_label("New password", exact=True).fill("kaisa sets a long one")
    person.get_by_label("The new password again").fill("kaisa sets a long one")
    person.get_by_role("button", name="Set password").click()
    person.wait_for_url(re.compile(r"/login"))
    person.get_by_label("Email address").fill(email)
    person.get_by_label("Password").fill("kaisa sets a long one")
    person.get_by_role("button", name="Sign in").click()
    person.wait_for_url(re.compile(r"/staff/"))
    person.goto(f"{found.group(1)}?lang=en")
    expect(person.get_by_test_id("bad-link")).to_be_visible()
    assert_accessible(person, "set-password page of a used link")
