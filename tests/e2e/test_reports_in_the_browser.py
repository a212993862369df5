"""A manager reads the SLA dashboard and the printable steering report in a real browser.

The desk runs in a thread (werkzeug) on the test's SQLite database, with the hand-computed
data of tests/support/sla_report_data.py; both pages pass axe-core's WCAG 2.1 A/AA rules,
on screen and with print media emulated.
"""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.e2e.helpers import assert_accessible, screenshot
from tests.support import sla_report_data as data


@pytest.mark.browser
def test_a_manager_reads_the_dashboard_and_the_steering_report(
    live, browser, app_session, staff, shots_dir
) -> None:
    data.build(app_session)
    staff("manager@example.fi", role="manager", authority="lahti", teams=())
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page.goto(f"{live}/login?lang=en")
    page.fill("#email", "manager@example.fi")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")

    page.click("nav >> text=Reports")
    page.fill("#report-from", "2026-03-01")
    page.fill("#report-to", "2026-04-30")
    page.click("button:has-text('Show')")
    assert "from=2026-03-01" in page.url  # a GET form: the view can be bookmarked
    kpis = page.locator('[data-testid="kpis"]').inner_text()
    assert "60.0 %" in kpis and "44.4 %" in kpis
    for chart in ("compliance", "volume", "distribution", "backlog"):
        assert page.locator(f'[data-testid="chart-{chart}"] svg[role="img"]').count() == 1
    # The backlog chart's numbers follow it as a table: five age rows and the total.
    assert page.locator('[data-testid="backlog-table"] tbody tr').count() == 6
    assert page.locator('[data-testid="breaches-table"] tbody a').count() == 9
    assert page.locator('[data-testid="trend-table"] tbody tr').count() == 10  # weeks 9-18
    assert page.locator('[data-testid="regional-teams"] tbody tr').count() == 3
    page.locator("details.definition summary").first.click()
    assert page.locator("details.definition").first.get_attribute("open") is not None
    screenshot(page, shots_dir, "reports-dashboard")
    for chart in ("volume", "distribution", "backlog"):
        page.locator(f'[data-testid="chart-{chart}"]').screenshot(
            path=str(shots_dir / f"reports-chart-{chart}.png")
        )
    assert_accessible(page, "the SLA dashboard")
    closed = page.locator("details.definition p").nth(1)
    assert not closed.is_visible()
    page.emulate_media(media="print")  # printed, every definition is open
    assert closed.is_visible() and not page.locator(".report-filters").is_visible()
    page.emulate_media(media="screen")

    page.click("text=Steering group report")
    page.select_option("#report-quarter", "2")
    page.fill("#report-year", "2026")
    page.click("button:has-text('Show')")
    table = page.locator('[data-testid="steering-authorities"]').inner_text()
    assert "Both authorities" in table and "Päijät-Häme" in table
    assert (
        "Regional change security team"
        in page.locator('[data-testid="steering-regional"]').inner_text()
    )
    assert_accessible(page, "the steering report")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi, to look at
    assert not page.locator("header.site-header").is_visible()
    assert page.locator('[data-testid="steering-authorities"]').is_visible()
    screenshot(page, shots_dir, "reports-steering-print")
    page.pdf(path=str(shots_dir / "reports-steering.pdf"), format="A4")
    page.close()
