"""A new user's SLA journey in a real browser (system Chromium), with axe-core checks.

The desk runs in a thread (werkzeug) on the test's SQLite database. An adviser sees the
clocks of a case that is at risk, asks the employer for information (the clocks pause), and
the employer reads the expected dates; the processing-times page and the administrators'
SLA page pass axe-core's WCAG 2.1 A/AA rules.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from desk.domain.business_calendar import default_calendar
from desk.models import utcnow
from desk.services import cases
from tests.conftest import PASSWORD, raw_submission

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def no_violations(page: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()


def sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login?lang=en")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


@pytest.mark.browser
def test_an_adviser_sees_the_clocks_and_pauses_them(live, browser, app_session, staff) -> None:
    staff("adviser@example.fi")
    ago = default_calendar().subtract_business_time(utcnow(), timedelta(minutes=400))
    case = cases.submit_case(app_session, raw_submission(), now=ago)

    page = browser.new_page()
    sign_in(page, live, "adviser@example.fi")
    page.goto(f"{live}/staff/?sort=due&lang=en")
    page.click(f"text={case.reference}")
    first = page.locator('[data-testid="sla-first_response"]')
    assert "At risk" in first.inner_text()
    assert re.search(r"1 h 2\d min|1 h 1\d min", first.inner_text())
    no_violations(page)

    page.fill("#ask_body", "Which start date suits you?")
    page.click("text=Send the question")
    assert "Met" in page.locator('[data-testid="sla-first_response"]').inner_text()
    assert "clock paused" in page.locator('[data-testid="sla-resolution"]').inner_text()

    employer = browser.new_page()
    employer.goto(f"{live}/case/{case.raw_token}?lang=en")
    dates = employer.locator("section.expected").inner_text()
    assert "We replied on" in dates and "On hold while we wait for your answer" in dates
    no_violations(employer)
    employer.click("text=Our processing times")
    assert "4 business hours" in employer.locator("table").inner_text()
    no_violations(employer)


@pytest.mark.browser
def test_the_admin_sla_page_is_accessible_with_errors_shown(live, browser, staff) -> None:
    staff("admin@example.fi", role="admin", teams=())
    page = browser.new_page()
    sign_in(page, live, "admin@example.fi")
    page.goto(f"{live}/admin/sla?lang=en")
    no_violations(page)
    page.click("text=Add closure day")  # nothing typed: the error summary takes focus
    assert page.locator(".error-summary").is_visible()
    assert "Enter the date of the closure day" in page.locator(".error-summary").inner_text()
    no_violations(page)
    page.goto(f"{live}/admin/sla/policies/job-ad?lang=en")
    page.fill("#warning_percent", "150")
    page.click("text=Save as a new version")
    assert page.locator("#warning_percent").input_value() == "150"
    no_violations(page)
