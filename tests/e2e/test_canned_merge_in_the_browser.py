"""Canned responses and merging in a real browser (system Chromium), with axe-core checks.

A manager writes a canned answer in Finnish and Swedish; an adviser inserts it at the
cursor of a Swedish case's reply box (canned.js, no reload), then merges a duplicate into
the case. The new pages pass axe-core's WCAG 2.1 A/AA rules in Finnish, Swedish and English.
"""

from __future__ import annotations

from typing import Any

import pytest

from desk.services import cases
from tests.conftest import PASSWORD, raw_submission

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
TEAM = "paijat-hame-employer-services"


def no_violations(page: Any, label: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, f"{label}: {results.generate_report()}"


def sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login?lang=en")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/")


@pytest.mark.browser
def test_an_adviser_inserts_a_swedish_canned_answer_and_merges_a_duplicate(
    live, browser, app_session, staff
) -> None:
    staff("manager@example.fi", role="manager", teams=())
    staff("adviser@example.fi")
    case = cases.submit_case(app_session, raw_submission(language="sv"))
    duplicate = cases.submit_case(app_session, raw_submission(language="sv"))

    manager = browser.new_page()
    sign_in(manager, live, "manager@example.fi")
    manager.goto(f"{live}/staff/teams/{TEAM}/canned-responses/new?lang=en")
    manager.fill("#title_fi", "Kiitos")
    manager.fill("#body_fi", "Hei {contact_name}!")
    manager.fill("#title_sv", "Tack")
    manager.fill("#body_sv", "Hej {contact_name}, ditt ärende {reference} är under arbete.")
    manager.click("button:has-text('Save')")
    manager.wait_for_url(f"**/staff/teams/{TEAM}/canned-responses")
    for lang in ("fi", "sv", "en"):
        manager.goto(f"{live}/staff/teams/{TEAM}/canned-responses?lang={lang}")
        no_violations(manager, f"list {lang}")
        manager.goto(f"{live}/staff/teams/{TEAM}/canned-responses/new?lang={lang}")
        no_violations(manager, f"form {lang}")
    manager.fill("#title_fi", "Virhe")
    manager.fill("#body_fi", "Hei {nimi}")
    manager.click("button:has-text('Save')")
    assert "{nimi}" in manager.locator(".error-summary").inner_text()
    no_violations(manager, "form with errors")

    adviser = browser.new_page()
    sign_in(adviser, live, "adviser@example.fi")
    url = f"{live}/staff/cases/{case.reference}?lang=sv"
    adviser.goto(url)
    adviser.fill("#reply_body", "Hej! ")
    adviser.select_option("#canned", label="Tack")
    adviser.click("form.canned-picker button")
    expected = f"Hej! Hej Teija Työnantaja, ditt ärende {case.reference} är under arbete."
    adviser.wait_for_function(
        "expected => document.getElementById('reply_body').value === expected", arg=expected
    )
    assert adviser.url == url  # inserted without a reload
    assert "Tack" in adviser.locator(".canned-status").inner_text()
    for lang in ("fi", "sv", "en"):
        adviser.goto(f"{live}/staff/cases/{case.reference}?lang={lang}")
        no_violations(adviser, f"case page {lang}")

    adviser.goto(f"{live}/staff/cases/{duplicate.reference}?lang=en")
    adviser.fill("#merge_reference", case.reference)
    adviser.click("button:has-text('Merge')")
    adviser.wait_for_url(f"**/staff/cases/{case.reference}")
    assert "was merged into this case" in adviser.content()
    employer = browser.new_page()
    for lang in ("fi", "sv", "en"):
        employer.goto(f"{live}/case/{duplicate.raw_token}?lang={lang}")
        assert case.reference in employer.locator("[data-testid=merged]").inner_text()
        no_violations(employer, f"merged page {lang}")
