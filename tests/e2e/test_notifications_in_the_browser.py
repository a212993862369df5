"""Notifications in a real browser against the real processes (web, worker, beat, SMTP):
an administrator subscribes a system to case events, a broken receiver dead-letters the
event, the administrator sends it again once the receiver is fixed; the adviser's bell fills
and empties; the employer chooses which emails they get. Every page passes axe-core.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from desk.domain.webhook_signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from tests.e2e.conftest import Stack
from tests.e2e.helpers import (
    ADMIN,
    ADVISER_PAIJAT_HAME,
    VALID_REQUEST,
    assert_accessible,
    fill_request,
    screenshot,
    wait_for_mail,
)
from tests.support.receivers import WebhookReceiver, start_webhook_receiver

pytestmark = pytest.mark.browser

EMPLOYER_EMAIL = "notify.e2e@example.fi"


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = start_webhook_receiver()
    yield server
    server.stop()


def _wait(predicate: Any, what: str, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"no {what} within {timeout:.0f} s")


def _reload_until_visible(page: Any, locator: Any, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while locator.count() == 0:
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not shown within {timeout:.0f} s")
        time.sleep(0.5)
        page.reload()


def test_dead_letter_retried_bell_and_employer_choices(
    new_page: Any, desk_stack: Stack, receiver: WebhookReceiver, shots_dir: Path
) -> None:
    # The administrator subscribes the authority's CRM, which is broken for now (410 Gone:
    # a permanent answer, so the event is dead-lettered at once).
    receiver.statuses["/crm"] = 410
    admin = new_page(signed_in_as=ADMIN)
    admin.goto("/admin/webhooks?lang=en")
    assert_accessible(admin, "webhooks page")
    admin.get_by_label("Name").fill("Lahti CRM (e2e)")
    admin.get_by_label("Address").fill(f"{receiver.base_url}/crm")
    admin.locator("#events-case\\.received").check()
    admin.get_by_role("button", name="Add subscription").click()
    secret = admin.locator("[data-testid=webhook-secret] code").inner_text()
    assert secret.startswith("whsec_")
    assert_accessible(admin, "webhook secret shown")
    screenshot(admin, shots_dir, "notify-01-webhook-secret")

    # An adviser of the receiving team looks at the bell before the request arrives.
    adviser = new_page(signed_in_as=ADVISER_PAIJAT_HAME)
    adviser.goto("/staff/?lang=en")
    bell = adviser.get_by_test_id("bell")
    badge = adviser.get_by_test_id("unread-count")
    before = int(badge.inner_text().split()[0]) if badge.count() else 0

    employer = new_page()
    employer.goto("/request?lang=en")
    fill_request(employer, {**VALID_REQUEST, "email": EMPLOYER_EMAIL})
    employer.get_by_role("button", name="Send request").click()
    employer.wait_for_url(re.compile(r"\?submitted=1$"))
    reference = employer.locator(".confirmation .reference").inner_text()

    # The bell fills (a new case in the team's queue), the list shows the case.
    adviser.reload()
    expect(adviser.get_by_test_id("unread-count")).to_contain_text(str(before + 1))
    bell.click()
    expect(adviser.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(adviser.locator(".inbox-item.unread").first).to_contain_text(reference)
    assert_accessible(adviser, "notifications list")
    screenshot(adviser, shots_dir, "notify-02-bell")
    adviser.get_by_role("button", name="Mark all as read").click()
    expect(adviser.locator(".notification")).to_have_text("All notifications marked as read.")
    expect(adviser.get_by_test_id("unread-count")).to_have_count(0)
    adviser.get_by_role("link", name="Choose how you are notified").click()
    adviser.locator("#pref-new_case-immediate").check()  # new cases: an email at once too
    adviser.get_by_role("button", name="Save choices").click()
    expect(adviser.locator(".notification")).to_have_text("Your notification choices are saved.")
    assert_accessible(adviser, "notification choices")

    # The CRM's answer was final: the event is a dead letter, with the error.
    admin.goto("/admin/notifications/dead-letters?lang=en")
    row = admin.locator("table.dead-letters tbody tr", has_text="Lahti CRM (e2e)")
    _reload_until_visible(admin, row, "the dead letter")
    expect(row).to_contain_text("HTTP 410 from the receiver")
    assert_accessible(admin, "dead letters")
    screenshot(admin, shots_dir, "notify-03-dead-letter")

    # The CRM is fixed; the administrator sends the event again.
    receiver.statuses["/crm"] = 204
    row.get_by_role("button", name=re.compile("^Send again")).click()
    expect(admin.locator(".notification")).to_contain_text("will be sent again")
    calls = _wait(
        lambda: len(receiver.calls_to("/crm")) >= 2 and receiver.calls_to("/crm"), "retry"
    )
    first, second = calls[0], calls[1]
    assert first.body == second.body  # the same event, id and all
    body = json.loads(second.body)
    assert body["type"] == "case.received" and body["case"]["reference"] == reference
    assert verify(secret, second.headers[TIMESTAMP_HEADER], second.body,
                  second.headers[SIGNATURE_HEADER], now=time.time())  # fmt: skip
    admin.goto("/admin/notifications?status=delivered&lang=en")
    expect(admin.locator("table.deliveries")).to_contain_text("Lahti CRM (e2e)")
    assert_accessible(admin, "deliveries")

    # The case page tells staff what was sent to whom.
    adviser.goto(f"/staff/cases/{reference}?lang=en")
    sent = adviser.locator("section", has_text="Notifications sent")
    expect(sent).to_contain_text("Request received (confirmation)")
    expect(sent).to_contain_text(EMPLOYER_EMAIL)

    # The employer follows the link in the confirmation to choose which emails they get.
    confirmation = wait_for_mail(
        desk_stack.mail_dir, lambda m: m["To"] == EMPLOYER_EMAIL, "the confirmation"
    )
    link = str(confirmation["List-Unsubscribe"]).strip("<>")
    # The signed email-choices link (RFC 2369), also one-click (RFC 8058).
    assert link.startswith(f"{desk_stack.base_url}/email-choices/")
    assert confirmation["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    employer.goto(link + "?lang=en")
    assert_accessible(employer, "employer email choices")
    employer.get_by_label("Only the emails you must send me").check()
    employer.get_by_role("button", name="Save choice").click()
    expect(employer.locator(".notification")).to_have_text("Your choice is saved.")
    expect(employer.get_by_label("Only the emails you must send me")).to_be_checked()
    screenshot(employer, shots_dir, "notify-04-employer-choices")

    # Tidy up: other browser tests share this desk.
    admin.goto("/admin/webhooks?lang=en")
    admin.locator("tr", has_text="Lahti CRM (e2e)").get_by_role(
        "button", name=re.compile("^Remove")
    ).click()
    expect(admin.locator(".notification")).to_have_text("The subscription was removed.")
