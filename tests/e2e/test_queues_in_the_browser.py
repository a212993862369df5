"""The adviser's queue page in a real browser: WCAG 2.1 AA (axe-core) in Finnish, Swedish
and English, the filters as a GET form (the URL is the view), and an invalid filter."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import (
    ADVISER_PAIJAT_HAME,
    VALID_REQUEST,
    assert_accessible,
    fill_request,
    screenshot,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def reference(browser: Any, desk_stack: Any) -> str:
    """A case sent through the public form to Päijät-Häme (the adviser's team)."""
    context = browser.new_context(base_url=desk_stack.base_url, locale="en-GB")
    try:
        page = context.new_page()
        page.goto("/request")
        fill_request(page, {**VALID_REQUEST, "organisation_name": "Artjärven Jono Oy"})
        page.get_by_role("button", name="Send request").click()
        page.wait_for_url(re.compile(r"\?submitted=1$"))
        found: str = page.locator(".confirmation .reference").inner_text()
        return found
    finally:
        context.close()


@pytest.mark.parametrize(
    ("language", "heading"),
    [("fi", "Tiimin työjono"), ("sv", "Teamets ärendekö"), ("en", "Team queue")],
)
def test_the_queue_page_passes_axe(
    new_page: Any, shots_dir: Path, reference: str, language: str, heading: str
) -> None:
    page = new_page(signed_in_as=ADVISER_PAIJAT_HAME)
    page.goto(f"/staff/?lang={language}")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    expect(page.locator('.queue-nav a[aria-current="page"]')).to_have_count(1)
    page.locator(".queue-filters summary").click()
    assert_accessible(page, f"queue ({language})")
    screenshot(page, shots_dir, f"a11y-queue-{language}")


def test_filters_go_in_the_url_and_a_bad_one_is_explained(new_page: Any, reference: str) -> None:
    page = new_page(signed_in_as=ADVISER_PAIJAT_HAME)
    page.goto("/staff/?lang=en")
    page.locator(".queue-filters summary").click()
    page.get_by_test_id("queue-filters").get_by_label("Language").select_option("en")
    page.get_by_role("button", name="Show cases").click()
    page.wait_for_url(re.compile(r"language=en"))
    expect(page.get_by_role("link", name=reference)).to_be_visible()

    response = page.goto("/staff/?lang=en&received_from=someday")
    assert response is not None and response.status == 400
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Enter the first received date as a date")
    expect(page.locator("#received_from")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "queue with an invalid filter")
