"""An adviser finds a case by a word from one of its messages through the navigation's search
box, follows the Business ID to the employer's whole picture; both pages pass axe-core in
Finnish, Swedish and English, and the search works without JavaScript."""

from __future__ import annotations

import re
import time
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

WORD = "sahanterätehtailija"  # in a reply only, so the case is found by its message


def test_adviser_finds_a_case_by_a_word_of_its_message(new_page: Any, shots_dir: Path) -> None:
    employer = new_page()
    employer.goto("/request")
    fill_request(employer, {**VALID_REQUEST, "organisation_name": "Artjärven Saha Oy"})
    employer.get_by_role("button", name="Send request").click()
    employer.wait_for_url(re.compile(r"\?submitted=1$"))
    reference = employer.locator(".confirmation .reference").inner_text()

    page = new_page(ADVISER_PAIJAT_HAME)
    # The new case's bell notification is delivered by the worker: wait for it here, so it
    # never lands in a later test that counts the adviser's unread notifications.
    deadline = time.monotonic() + 30
    while True:
        page.goto("/notifications?lang=en")
        if page.locator(".inbox-item").filter(has_text=reference).count():
            break
        assert time.monotonic() < deadline, "the new case's notification never arrived"
        page.wait_for_timeout(250)
    page.goto(f"/staff/cases/{reference}?lang=en")
    page.get_by_label("Reply to the employer").fill(f"Löysimme teille {WORD}n.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".notification")).to_have_text("Reply sent to the employer.")

    search_box = page.get_by_role("search").get_by_label("Search cases")
    search_box.fill(WORD)
    search_box.press("Enter")
    page.wait_for_url(re.compile(r"/staff/search\?q="))
    result = page.locator(".search-results li").filter(has_text=reference)
    expect(result).to_have_count(1)
    expect(result.locator("mark").first).to_contain_text(WORD)
    expect(result).to_contain_text("Matched in Message")
    screenshot(page, shots_dir, "search-results")
    for language in ("fi", "sv", "en"):
        page.goto(f"/staff/search?q={WORD}&lang={language}")
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert_accessible(page, f"search results ({language})")
    page.goto("/staff/search?lang=en&q=" + "x" * 201)
    expect(page.locator(".error-summary")).to_contain_text("Shorten the search")
    assert_accessible(page, "search with an error")

    page.goto(f"/staff/cases/{reference}?lang=en")
    page.get_by_role("link", name=VALID_REQUEST["business_id"]).click()
    page.wait_for_url(f"**/staff/employers/{VALID_REQUEST['business_id']}")
    expect(page.locator(".queue")).to_contain_text(reference)
    expect(page.locator("body")).to_contain_text(VALID_REQUEST["contact_name"])
    screenshot(page, shots_dir, "employer-overview")
    for language in ("fi", "sv", "en"):
        page.goto(f"/staff/employers/{VALID_REQUEST['business_id']}?lang={language}")
        assert_accessible(page, f"employer page ({language})")


def test_search_works_without_javascript(new_page: Any) -> None:
    page = new_page(ADVISER_PAIJAT_HAME, java_script_enabled=False)
    page.goto("/staff/?lang=en")
    page.get_by_role("search").get_by_label("Search cases").fill("TP-2026-999999")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    expect(page.locator("main")).to_contain_text("No case that you may open matches your search.")
