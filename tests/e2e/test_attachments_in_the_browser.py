"""Submitting with an attachment and a second workplace, the refusal of a disallowed file with
the form kept, the download, and axe-core on the form in Finnish, Swedish and English."""

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
from tests.support import sample_files as f

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_request_form_with_its_new_fields_passes_axe(new_page: Any, language: str) -> None:
    page = new_page()
    page.goto(f"/request?lang={language}")
    expect(page.locator("#attachments")).to_be_visible()
    assert_accessible(page, f"request form ({language})")


def test_submitting_with_an_attachment_and_a_second_workplace(
    new_page: Any, shots_dir: Path
) -> None:
    page = new_page()
    page.goto("/request?lang=en")
    fill_request(page, {**VALID_REQUEST, "organisation_name": "Liitteen Lähettäjä Oy"})
    # With JavaScript one empty row shows; the button adds the next.
    expect(page.locator("[data-workplace-row]:visible")).to_have_count(1)
    page.locator("#workplace_2_municipality").select_option("398")
    page.locator("#workplace_2_address").fill("Varasto, Lahti")
    page.get_by_role("button", name="Add another workplace").click()
    expect(page.locator("#workplace_3_municipality")).to_be_focused()

    # A disallowed file (an executable named .pdf) is refused; what was typed is kept.
    page.locator("#attachments").set_input_files(
        [{"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": f.EXE}]
    )
    page.get_by_role("button", name="Send request").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("A file is not of an accepted type")
    expect(page.locator("#workplace_2_address")).to_have_value("Varasto, Lahti")
    expect(page.locator("#organisation_name")).to_have_value("Liitteen Lähettäjä Oy")
    assert_accessible(page, "request form with a refused file")
    screenshot(page, shots_dir, "attachments-refused")

    page.locator("#attachments").set_input_files(
        [{"name": "Työpaikan kuva.png", "mimeType": "image/png", "buffer": f.PNG}]
    )
    page.get_by_role("button", name="Send request").click()
    page.wait_for_url(re.compile(r"\?submitted=1$"))
    reference = page.locator(".confirmation .reference").inner_text()
    link = page.get_by_role("link", name="Työpaikan kuva.png")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "Työpaikan kuva.png"
    assert Path(download.path()).read_bytes() == f.PNG
    assert_accessible(page, "employer case page with an attachment")

    staff = new_page(signed_in_as=ADVISER_PAIJAT_HAME)
    staff.goto(f"/staff/cases/{reference}?lang=en")
    section = staff.locator("#attachments")
    expect(section.get_by_role("link", name="Työpaikan kuva.png")).to_be_visible()
    expect(staff.locator(".workplaces")).to_contain_text("Varasto, Lahti")
    assert_accessible(staff, "staff case page with attachments")
