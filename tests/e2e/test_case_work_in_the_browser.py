"""Working a case in a real browser, with axe-core checks: an error kept in the actions
panel, a follow-up date, a need/municipality change with its one-click transfer offer."""

from __future__ import annotations

from datetime import date

import pytest

from desk.services import cases
from tests.conftest import raw_submission
from tests.e2e.test_sla_in_the_browser import no_violations, sign_in


@pytest.mark.browser
def test_an_adviser_works_a_case_from_its_page(live, browser, app_session, staff) -> None:
    staff("adviser@example.fi")
    staff("colleague@example.fi")
    case = cases.submit_case(app_session, raw_submission())
    page = browser.new_page()
    sign_in(page, live, "adviser@example.fi")
    page.goto(f"{live}/staff/cases/{case.reference}?lang=en")
    no_violations(page)

    page.click("text=Send the question")  # nothing written
    summary = page.locator("#actions .error-summary")
    assert "Write your question to the employer" in summary.inner_text()
    assert page.locator("#ask_body").get_attribute("aria-invalid") == "true"
    no_violations(page)

    # Mid-January next year: in the future, and in winter time (Babel's time zone data
    # knows no summer time after 2037, Python's does).
    year = date.today().year + 1
    page.fill("#follow_up_date", f"{year}-01-15")
    page.click("text=Save the follow-up date")
    assert f"Follow up on 15 Jan {year}, 9:00." in page.get_by_test_id("follow-up").inner_text()

    page.select_option("#details_municipality", "398")
    page.click("text=Save need and municipality")
    offer = page.get_by_test_id("rerouting")
    assert "Lahti" in offer.inner_text()
    no_violations(page)
    page.screenshot(path="/tmp/shots/case-work-rerouting.png", full_page=True)
    offer.get_by_role("button").click()
    page.wait_for_url(f"{live}/staff/")  # the case left the adviser's team


@pytest.mark.browser
def test_resolving_asks_how_and_the_case_reopens(live, browser, app_session, staff) -> None:
    staff("adviser@example.fi")
    case = cases.submit_case(app_session, raw_submission())
    page = browser.new_page()
    sign_in(page, live, "adviser@example.fi")
    page.goto(f"{live}/staff/cases/{case.reference}?lang=en")
    page.click("text=Resolve the case")
    assert "Select how the case was resolved" in page.locator("#actions").inner_text()
    page.select_option("#resolution_category", "service_provided")
    page.click("text=Resolve the case")
    assert "Service provided" in page.get_by_test_id("resolution").inner_text()
    no_violations(page)
    page.click("text=Reopen the case")
    assert page.locator("h1 .tag").inner_text() == "Open"
