"""WCAG 2.1 A/AA (axe-core) and keyboard use of the walking skeleton's pages.

Act 306/2019 requires WCAG 2.1 AA of public-sector services. axe-core finds what a machine
can find; the keyboard tests cover what the error-summary and skip-link patterns promise.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Stack
from tests.e2e.helpers import (
    ADMIN,
    ADVISER_PAIJAT_HAME,
    VALID_REQUEST,
    assert_accessible,
    fill_request,
    screenshot,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def case_links(
    browser: Any, desk_stack: Stack, staff_sessions: Callable[[str], dict[str, Any]]
) -> Iterator[dict[str, str]]:
    """A case sent through the form, with a reply and a note on it: its reference and link."""
    employer = browser.new_context(base_url=desk_stack.base_url, locale="en-GB")
    adviser = browser.new_context(
        base_url=desk_stack.base_url,
        locale="en-GB",
        storage_state=staff_sessions(ADVISER_PAIJAT_HAME),
    )
    try:
        page = employer.new_page()
        page.goto("/request")
        fill_request(
            page,
            {
                **VALID_REQUEST,
                "organisation_name": "Hartolan Hirsi Oy",
                "email": "hirsi@example.fi",
            },
        )
        page.get_by_role("button", name="Send request").click()
        page.wait_for_url(re.compile(r"\?submitted=1$"))
        # The private link was exchanged for this browser's session: its cookies open the
        # portal's case page (another browser is sent to sign in).
        state = desk_stack.root / "a11y-employer-state.json"
        employer.storage_state(path=str(state))
        links = {
            "reference": page.locator(".confirmation .reference").inner_text(),
            "confirmation": page.url,
            "private": page.url.split("?", 1)[0],
            "employer_state": str(state),
        }
        page = adviser.new_page()
        page.goto(f"/staff/cases/{links['reference']}")
        # Each action reloads the page: wait for its confirmation before the next one.
        page.get_by_role("button", name="Claim this case").click()
        expect(page.locator(".notification")).to_have_text("You are now handling this case.")
        page.get_by_label("Internal note").fill("Check the earlier case first.")
        page.get_by_role("button", name="Save note").click()
        expect(page.locator(".notification")).to_have_text("Internal note saved.")
        page.get_by_label("Reply to the employer").fill("Which weeks would suit you?")
        page.get_by_role("button", name="Send reply").click()
        expect(page.locator(".notification")).to_have_text("Reply sent to the employer.")
        yield links
    finally:
        employer.close()
        adviser.close()


@pytest.mark.parametrize(
    ("path", "name"), [("/", "front-page"), ("/request", "request-form"), ("/login", "login")]
)
def test_public_pages_pass_axe(new_page: Any, shots_dir: Path, path: str, name: str) -> None:
    page = new_page()
    assert page.goto(path).status == 200
    if path != "/request":  # the journey's 01-request-form shows the form
        screenshot(page, shots_dir, f"a11y-{name}")
    assert_accessible(page, path)


def test_request_form_with_every_error_passes_axe(new_page: Any, shots_dir: Path) -> None:
    page = new_page()
    page.goto("/request")
    # "Another municipality" shows the conditional field; leaving it empty is an error too.
    page.locator("#municipality").select_option("other")
    # The affected-employees field shows only for change security; reveal it (as without
    # JavaScript) so that an invalid count and a missing need are both errors at once.
    page.locator("[data-shown-for-need]").evaluate("group => { group.hidden = false; }")
    page.locator("#affected_employees").fill("many")
    page.get_by_role("button", name="Send request").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    # Every error is in the summary, and each link points at an element that exists.
    hrefs = summary.get_by_role("link").evaluate_all("links => links.map(a => a.hash)")
    assert set(hrefs) >= {
        "#business_id",
        "#organisation_name",
        "#contact_name",
        "#email",
        "#municipality_other",
        "#need",
        "#affected_employees",
        "#description",
    }, hrefs
    for href in hrefs:
        expect(page.locator(href)).to_have_count(1)
    expect(page.locator("#municipality_other")).to_be_visible()
    screenshot(page, shots_dir, "a11y-request-form-all-errors")
    assert_accessible(page, "request form with errors")


def test_request_form_on_a_phone(new_page: Any, shots_dir: Path) -> None:
    """The form reflows to a 320 CSS px wide screen (WCAG 1.4.10) without sideways scrolling."""
    page = new_page(viewport={"width": 320, "height": 640})
    page.goto("/request")
    page.get_by_role("button", name="Send request").click()
    expect(page.locator(".error-summary")).to_be_visible()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at 320px"
    screenshot(page, shots_dir, "a11y-request-form-320px")
    screenshot(page, shots_dir, "a11y-request-form-320px-top", full_page=False)


def test_login_with_error_passes_axe(new_page: Any, shots_dir: Path) -> None:
    page = new_page()
    page.goto("/login")
    page.get_by_label("Email address").fill(ADVISER_PAIJAT_HAME)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("The email address or password is incorrect.")
    expect(summary).to_be_focused()
    screenshot(page, shots_dir, "a11y-login-error")
    assert_accessible(page, "login with error")


def test_employer_pages_pass_axe(
    new_page: Any, shots_dir: Path, case_links: dict[str, str]
) -> None:
    page = new_page(storage_state=case_links["employer_state"])
    page.goto(case_links["confirmation"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Request received")
    assert_accessible(page, "confirmation page")

    page.goto(case_links["private"])
    expect(page.locator("#messages article")).to_have_count(1)
    assert_accessible(page, "employer case page")

    # An empty answer shows the error pattern on this page too.
    page.get_by_role("button", name="Send message").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Write a message")
    expect(summary).to_be_focused()
    screenshot(page, shots_dir, "a11y-employer-case-error")
    assert_accessible(page, "employer case page with error")


def test_staff_pages_pass_axe(new_page: Any, shots_dir: Path, case_links: dict[str, str]) -> None:
    page = new_page(signed_in_as=ADVISER_PAIJAT_HAME)
    page.goto("/staff/")
    expect(page.get_by_role("link", name=case_links["reference"])).to_be_visible()
    assert_accessible(page, "queue")

    page.goto(f"/staff/cases/{case_links['reference']}")
    expect(page.locator("article.message.internal")).to_have_count(1)
    assert_accessible(page, "staff case page")

    page.get_by_role("button", name="Send reply").click()  # empty reply
    expect(page.locator("#reply_body-error")).to_contain_text("Write a message")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_attribute("href", "#reply_body")
    expect(page.locator("#reply_body")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#note_body")).not_to_have_attribute("aria-invalid", "true")
    screenshot(page, shots_dir, "a11y-staff-case-error")
    assert_accessible(page, "staff case page with error")


def test_admin_mail_pages_pass_axe(new_page: Any, case_links: dict[str, str]) -> None:
    page = new_page(signed_in_as=ADMIN)
    page.goto("/admin/dev/mail")
    subject = f"We received your request {case_links['reference']}"
    # The relay may still be delivering the mail of the module's case.
    for _ in range(30):
        if page.get_by_role("link", name=subject).count():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(page.get_by_role("link", name=subject)).to_have_count(1)
    assert_accessible(page, "caught mail list")
    page.get_by_role("link", name=subject).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(subject)
    assert_accessible(page, "caught mail message")


def test_error_page_passes_axe(new_page: Any, shots_dir: Path) -> None:
    page = new_page()
    assert page.goto("/case/not-a-real-token").status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    screenshot(page, shots_dir, "a11y-404")
    assert_accessible(page, "404 page")


def test_skip_link_takes_the_keyboard_past_the_header(new_page: Any) -> None:
    page = new_page()
    page.goto("/request")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "focused skip link is off-screen"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#business_id")).to_be_focused()


def test_error_summary_is_focused_and_its_links_focus_the_fields(new_page: Any) -> None:
    page = new_page()
    page.goto("/request")
    fill_request(page, {**VALID_REQUEST, "business_id": "1234567-2"})
    page.get_by_role("button", name="Send request").click()
    expect(page.locator(".error-summary")).to_be_focused()
    page.keyboard.press("Tab")
    link = page.locator(".error-summary a").first
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#business_id")).to_be_focused()
    # The field's own message is read with it.
    expect(page.locator("#business_id")).to_have_accessible_description(
        re.compile(r"Error: .*check digit")
    )


def test_the_axe_check_can_fail(new_page: Any) -> None:
    """A label taken away must be reported: proof that axe really runs the WCAG rules here."""
    page = new_page()
    page.goto("/request")
    page.evaluate("document.querySelector('label[for=email]').remove()")
    with pytest.raises(AssertionError, match="label"):
        assert_accessible(page, "request form without a label")


# --- access log and data-subject requests (issue 14) -----------------------------------------


def test_access_log_and_data_subject_pages_pass_axe(
    new_page: Any, shots_dir: Path, case_links: dict[str, str]
) -> None:
    page = new_page(signed_in_as=ADMIN)
    page.goto(f"/reports/audit?case={case_links['reference']}")
    # The adviser opened the case page while making it: that view is on record.
    expect(
        page.get_by_test_id("audit-entries").locator("code", has_text="case.view")
    ).not_to_have_count(0)
    assert_accessible(page, "access log")
    page.goto("/admin/data-subjects/")
    page.get_by_label("Contact person's email address").fill("hirsi@example.fi")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("row", name=re.compile(case_links["reference"]))).to_have_count(1)
    assert_accessible(page, "data-subject page")
    page.get_by_role("button", name="Erase the data").click()  # not confirmed
    expect(page.locator(".error-summary")).to_contain_text("Confirm that the person's data")
    screenshot(page, shots_dir, "a11y-data-subject-error")
    assert_accessible(page, "data-subject page with error")
