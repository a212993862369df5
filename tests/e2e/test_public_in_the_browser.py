"""The public part of issue 12 in a real browser (system Chromium), with axe-core's WCAG 2.1
A/AA rules on every new page in Finnish, Swedish and English: the privacy notice, the
accessibility statement and its feedback form, the email-choices link, and the satisfaction
survey answered once, its answer then on the staff case page."""

from __future__ import annotations

import pytest

from desk.services import cases, signed_links
from tests.conftest import raw_submission
from tests.e2e.test_sla_in_the_browser import no_violations, sign_in
from tests.support.actors import as_staff

LANGUAGES = ("fi", "sv", "en")


@pytest.mark.browser
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_new_public_pages_pass_axe(live, browser, app, app_session, language) -> None:
    case = cases.submit_case(app_session, raw_submission())
    token = signed_links.email_choices_token(app.config["SECRET_KEY"], case.id, case.email)
    page = browser.new_page()
    try:
        for path in (
            "/privacy",
            "/accessibility",
            "/accessibility/feedback",
            f"/email-choices/{token}",
        ):
            response = page.goto(f"{live}{path}?lang={language}")
            assert response is not None and response.status == 200, path
            assert page.locator("html").get_attribute("lang") == language
            no_violations(page)
        # The feedback form with every error, and the footer's way back to the statement.
        page.goto(f"{live}/accessibility/feedback?lang={language}")
        page.fill("#email", "not an address")
        page.locator("form.stack button[type=submit]").click()
        summary = page.locator(".error-summary")
        assert summary.is_visible()
        assert page.locator("#email").get_attribute("aria-invalid") == "true"
        assert page.locator("#email").input_value() == "not an address"  # nothing typed is lost
        no_violations(page)
        page.locator("footer a[href='/accessibility']").click()
        assert page.url.endswith("/accessibility")
    finally:
        page.close()


@pytest.mark.browser
def test_the_survey_is_answered_once_and_staff_see_the_answer(
    live, browser, app, app_session, staff
) -> None:
    adviser = staff("adviser@example.fi")
    case = cases.submit_case(app_session, raw_submission(language="sv"))
    cases.change_status(app_session, as_staff(adviser), case.id, "resolved")
    url = f"{live}/portal/survey/{signed_links.survey_token(app.config['SECRET_KEY'], case.id)}"

    page = browser.new_page()
    page.goto(url)  # the case's language, Swedish
    assert page.locator("html").get_attribute("lang") == "sv"
    no_violations(page)
    page.goto(f"{url}?lang=en")
    page.fill("#comment", "The adviser knew the subsidy rules.")
    page.click("text=Send answer")  # no score chosen
    summary = page.locator(".error-summary")
    assert "Select a number from 1 to 5" in summary.inner_text()
    assert page.locator("#comment").input_value() == "The adviser knew the subsidy rules."
    no_violations(page)
    page.locator("label[for='score-4']").click()
    page.click("text=Send answer")
    assert "Thank you for your answer." in page.locator(".notification").inner_text()
    no_violations(page)
    page.goto(f"{url}?lang=fi")
    assert "on jo vastattu" in page.locator(".notification").inner_text()
    assert page.locator("#score").count() == 0  # no second answer

    staff_page = browser.new_page()
    sign_in(staff_page, live, "adviser@example.fi")
    staff_page.goto(f"{live}/staff/cases/{case.reference}?lang=en")
    panel = staff_page.locator("section[aria-labelledby='satisfaction-title']")
    assert "Answer: 4 of 5" in panel.inner_text()
    assert "The adviser knew the subsidy rules." in panel.inner_text()
    no_violations(staff_page)
    page.close()
    staff_page.close()
