"""The email channel in the browser: an employer answers the confirmation email with their
mail client, over SMTP to the desk's inbound receiver; the adviser sees the answer on the
case page marked "by email", opens the original, and the administrator reads the inbound
log. axe-core on the three pages."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from desk.db import make_engine, make_session_factory
from desk.services.inbound.smtp_receiver import start_receiver
from tests.e2e.conftest import Stack
from tests.e2e.helpers import (
    ADMIN,
    ADVISER_PAIJAT_HAME,
    REFERENCE,
    VALID_REQUEST,
    assert_accessible,
    fill_request,
    screenshot,
    wait_for_mail,
)
from tests.support.services import free_port

pytestmark = pytest.mark.browser

EMPLOYER = "emailing.employer@example.fi"


@pytest.fixture
def inbound_port(desk_stack: Stack) -> Iterator[int]:
    """The desk's inbound SMTP receiver on the stack's database (in a thread of the test);
    the stack's own worker and beat process what it stores."""
    engine = make_engine(f"sqlite:///{desk_stack.root / 'desk.sqlite3'}")
    port = free_port()
    controller = start_receiver(make_session_factory(engine), "127.0.0.1", port, 10_000_000)
    try:
        yield port
    finally:
        controller.stop()
        engine.dispose()


def test_the_employers_emailed_answer_shows_on_the_advisers_case_page(
    new_page: Any, desk_stack: Stack, inbound_port: int, shots_dir: Path
) -> None:
    page = new_page()
    page.goto("/request?lang=en")
    fill_request(page, {**VALID_REQUEST, "email": EMPLOYER, "organisation_name": "Sähköposti Oy"})
    page.get_by_role("button", name="Send request").click()
    reference_text = page.locator("main").inner_text()
    match = REFERENCE.search(reference_text)
    assert match, reference_text
    reference = match[0]
    confirmation = wait_for_mail(
        desk_stack.mail_dir,
        lambda m: m["To"] == EMPLOYER and reference in str(m["Subject"]),
        "the confirmation",
    )
    reply_to = str(confirmation["Reply-To"])
    assert f"+{reference}." in reply_to

    answer = EmailMessage()
    answer["From"] = f"Eeva Employer <{EMPLOYER}>"
    answer["To"] = reply_to
    answer["Subject"] = f"Re: {confirmation['Subject']}"
    answer["Message-ID"] = make_msgid(domain="example.fi")
    answer["In-Reply-To"] = confirmation["Message-ID"]
    answer.set_content(
        "Two carpenters, from 4 May, please.\n\nOn Tue, the desk wrote:\n> Your request ...\n"
    )
    with smtplib.SMTP("127.0.0.1", inbound_port, timeout=20) as smtp:
        smtp.send_message(answer)

    adviser = new_page(signed_in_as=ADVISER_PAIJAT_HAME)
    adviser.goto(f"/staff/cases/{reference}?lang=en")
    emailed = adviser.locator("article.message.employer", has_text="Two carpenters, from 4 May")
    for _attempt in range(60):  # the worker processes stored mail every few seconds
        if emailed.count():
            break
        adviser.wait_for_timeout(500)
        adviser.reload()
    expect(emailed).to_be_visible()
    expect(emailed.get_by_test_id("by-email")).to_have_text("By email")
    expect(emailed).not_to_contain_text("Your request ...")  # the quoted history is trimmed
    assert_accessible(adviser, "case page with an emailed answer")
    screenshot(adviser, shots_dir, "email-channel-case-page")

    emailed.get_by_role("link", name="Show the original email").click()
    expect(adviser.get_by_test_id("inbound-text")).to_contain_text("> Your request ...")
    expect(adviser.get_by_test_id("inbound-status")).to_have_text("Matched to a case")
    assert_accessible(adviser, "original email")

    admin = new_page(signed_in_as=ADMIN)
    admin.goto("/admin/inbound?lang=en")
    row = admin.get_by_test_id("inbound-log").locator("tr", has_text=reference)
    expect(row).to_contain_text("Matched to a case")
    expect(row).to_contain_text("matched by reply address")
    assert_accessible(admin, "inbound log")
