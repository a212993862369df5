"""The walking skeleton, end to end in a real browser against the real processes.

An employer sends a request (first with mistakes), gets the confirmation email through the
outbox relay, an adviser of the right team works the case, the employer answers through the
private link, and the admin reads the caught mail.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from desk.domain.business_calendar import HELSINKI
from tests.e2e.conftest import Stack
from tests.e2e.helpers import (
    ADMIN,
    ADVISER_PAIJAT_HAME,
    REFERENCE,
    VALID_REQUEST,
    fill_request,
    html_of,
    screenshot,
    sign_in,
    text_of,
    wait_for_mail,
)

pytestmark = pytest.mark.browser

INVALID_BUSINESS_ID = "1234567-2"  # check digit should be 1
EXPECTED_REASON = (
    "Routed to Päijät-Häme Employment Services, Päijät-Häme employer services, "
    "because the workplace is in Orimattila (560)."
)
NOTE = "Internal: ask the Hollola team about pay subsidy first [note-7f3c]"
REPLY = "Thank you! Do you also want us to organise a recruitment event? [reply-2b9e]"
QUESTION = "Which weeks of April would suit you? [question-5e1a]"
ANSWER = "Yes please, any week in April suits us. [answer-c41d]"


def _post_response(page: Any) -> Any:
    return page.expect_response(lambda r: r.request.method == "POST")


def _history(page: Any) -> list[str]:
    """History entries as 'Label detail – actor', in order, without the timestamps."""
    entries = []
    for item in page.locator("ol.events > li").all():
        time_text = item.locator("time").inner_text()
        text = item.inner_text().replace(time_text, "", 1)
        entries.append(re.sub(r"\s+", " ", text).strip())
    return entries


def employer_sends_request_with_mistakes_then_fixes_it(page: Any, shots: Path) -> tuple[str, str]:
    """Step 1. Returns (reference, private path) from the confirmation page."""
    response = page.goto("/request")
    assert response.status == 200
    assert urlsplit(page.url).path == "/request", "the public form must not ask for sign-in"
    expect(page.get_by_role("heading", level=1)).to_have_text("Send a request to employer services")
    expect(page.locator(".error-summary")).to_have_count(0)
    screenshot(page, shots, "01-request-form")

    mistaken = {**VALID_REQUEST, "business_id": INVALID_BUSINESS_ID, "email": ""}
    fill_request(page, mistaken)
    with _post_response(page) as posted:
        page.get_by_role("button", name="Send request").click()
    assert posted.value.status == 422
    page.wait_for_load_state()

    # The error summary comes first, is announced and focused, and links to each field.
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary).to_be_focused()
    assert page.title().startswith("Error: ")
    links = summary.get_by_role("link")
    expect(links).to_have_count(2)
    expect(links.nth(0)).to_have_attribute("href", "#business_id")
    # The wording may be edited; it must name the real problem, the check digit.
    expect(links.nth(0)).to_contain_text("check digit")
    expect(links.nth(1)).to_have_attribute("href", "#email")
    expect(links.nth(1)).to_have_text("Enter an email address")
    summary_box = summary.bounding_box()
    form_box = page.locator("form.stack").bounding_box()
    assert summary_box["y"] < form_box["y"], "the error summary must be above the form"

    # Each message also sits next to its field, tied to it for screen readers.
    for field, link in (("business_id", links.nth(0)), ("email", links.nth(1))):
        expect(page.locator(f"#{field}-error")).to_have_text(f"Error: {link.inner_text()}")
        expect(page.locator(f"#{field}")).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f"#{field}")).to_have_attribute(
            "aria-describedby", re.compile(rf"\b{field}-error\b")
        )
    # Fields without errors are not marked.
    expect(page.locator("#organisation_name")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-error")).to_have_count(2)

    # Everything typed is still there.
    expect(page.locator("#business_id")).to_have_value(INVALID_BUSINESS_ID)
    for field in ("organisation_name", "contact_name", "phone", "description"):
        expect(page.locator(f"#{field}")).to_have_value(VALID_REQUEST[field])
    expect(page.locator("#email")).to_have_value("")
    expect(page.locator("#municipality")).to_have_value("560")
    expect(page.locator("input[name=need][value=recruitment]")).to_be_checked()
    expect(page.locator("input[name=language][value=en]")).to_be_checked()
    screenshot(page, shots, "02-request-form-errors")

    # A summary link takes the keyboard user to the field.
    links.nth(1).click()
    expect(page.locator("#email")).to_be_focused()

    fill_request(
        page, {"business_id": VALID_REQUEST["business_id"], "email": VALID_REQUEST["email"]}
    )
    with _post_response(page) as posted:
        page.get_by_role("button", name="Send request").click()
    assert posted.value.status == 303
    # The private token is exchanged for the session: the address holds the reference only.
    page.wait_for_url(re.compile(r"/portal/cases/TP-\d{4}-\d{6}\?submitted=1$"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Request received")
    reference = page.locator(".confirmation .reference").inner_text()
    assert re.fullmatch(REFERENCE, reference), reference
    assert reference.startswith(f"TP-{datetime.now(HELSINKI).year}-"), reference
    summary_list = page.locator("dl.summary").first
    expect(summary_list).to_contain_text(
        "Päijät-Häme Employment Services – Päijät-Häme employer services"
    )
    expect(page.get_by_test_id("routing-reason")).to_have_text(EXPECTED_REASON)
    expect(page.get_by_test_id("status-words")).to_have_text("We have received your request")
    expect(page.locator("main")).to_contain_text(VALID_REQUEST["email"])
    screenshot(page, shots, "03-confirmation")
    return reference, urlsplit(page.url).path


def confirmation_email_arrives(stack: Stack, reference: str, private_path: str) -> str:
    """Step 2. The real worker sent it via the relay beat runs; returns the private link."""
    mail = wait_for_mail(
        stack.mail_dir,
        lambda m: (
            m["To"] == VALID_REQUEST["email"]
            and m["Subject"] == f"We received your request {reference}"
        ),
        "confirmation email",
    )
    assert mail["Content-Language"] == "en"
    text = text_of(mail)
    assert EXPECTED_REASON in text
    # Besides the private link, the footer links to the employer's email choices.
    links = [u for u in re.findall(r"http://\S+", text) if "/email-choices/" not in u]
    assert len(links) == 1, links
    link = links[0]
    # A signed link (the raw token is never stored); it opens this case's page (step 4a).
    assert link.startswith(stack.base_url + "/case/"), link
    assert private_path.rpartition("/")[2] not in link
    assert f'href="{link}"' in html_of(mail)
    return link


def adviser_works_the_case(page: Any, shots: Path, reference: str) -> None:
    """Step 3. Queue, open, claim, internal note, public reply, ask the employer (waiting)."""
    sign_in(page, ADVISER_PAIJAT_HAME)
    expect(page.get_by_role("heading", level=1)).to_have_text("Team queue")
    row = page.locator("table.queue tbody tr", has=page.get_by_role("link", name=reference))
    expect(row).to_have_count(1)
    for text in (VALID_REQUEST["organisation_name"], "Recruitment help", "Orimattila", "New"):
        expect(row).to_contain_text(text)
    expect(row.locator("td").nth(9)).to_have_text("Unassigned")  # the Assignee column
    screenshot(page, shots, "04-queue")

    row.get_by_role("link", name=reference).click()
    page.wait_for_url(f"**/staff/cases/{reference}")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(reference)
    expect(heading.locator(".tag")).to_have_text("New")
    expect(page.get_by_test_id("routing-reason")).to_have_text(EXPECTED_REASON)

    page.get_by_role("button", name="Claim this case").click()
    expect(page.locator(".notification")).to_have_text("You are now handling this case.")
    expect(heading.locator(".tag")).to_have_text("Open")
    assignee = page.locator("dl.summary div", has=page.locator("dt", has_text="Assignee"))
    expect(assignee.locator("dd")).to_have_text("Pekka Adviser (Päijät-Häme)")
    expect(page.get_by_role("button", name="Claim this case")).to_have_count(0)

    page.get_by_label("Internal note").fill(NOTE)
    page.get_by_role("button", name="Save note").click()
    expect(page.locator(".notification")).to_have_text("Internal note saved.")
    note = page.locator("article.message.internal")
    expect(note).to_have_count(1)
    expect(note).to_contain_text(NOTE)
    expect(note.locator(".tag")).to_have_text("Internal note")

    page.get_by_label("Reply to the employer").fill(REPLY)
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".notification")).to_have_text("Reply sent to the employer.")
    expect(page.locator("article.message.public")).to_contain_text(REPLY)

    # Asking is one action: one message, one email, and the case waits.
    page.get_by_label("Ask the employer for information").fill(QUESTION)
    page.get_by_role("button", name="Send the question").click()
    expect(page.locator(".notification")).to_have_text(
        "Your question was sent to the employer. The case waits for their answer."
    )
    expect(heading.locator(".tag")).to_have_text("Waiting for the employer")
    screenshot(page, shots, "05-staff-case")


def reply_email_arrives_without_the_note(stack: Stack, reference: str, link: str) -> None:
    mail = wait_for_mail(
        stack.mail_dir,
        lambda m: (
            m["To"] == VALID_REQUEST["email"]
            and str(m["Subject"]).startswith("New reply")
            and reference in str(m["Subject"])
        ),
        "reply email to the employer",
    )
    assert mail["Subject"] == f"New reply to your request {reference}"
    assert REPLY in text_of(mail)
    # Each email signs its link anew (a timestamp): the same case and address, another time.
    same_case = link.rsplit(".", 2)[0] + "."
    assert same_case in text_of(mail)
    for part in (text_of(mail), html_of(mail)):
        assert "note-7f3c" not in part, "an internal note leaked into the employer's email"


def employer_answers_through_private_link(page: Any, shots: Path, link: str) -> None:
    """Step 4a. The employer sees the public reply, never the note, and answers."""
    response = page.goto(link)
    assert response.status == 200
    assert urlsplit(page.url).path.startswith("/portal/cases/TP-")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    status = page.get_by_test_id("status-words")
    expect(status).to_contain_text("We are waiting for your answer")
    messages = page.locator("#messages")
    expect(messages.locator("article.message.staff")).to_have_count(2)
    expect(messages.locator("article.message.staff").first).to_contain_text(REPLY)
    expect(messages.locator("article.message.staff").last).to_contain_text(QUESTION)
    assert "note-7f3c" not in page.content(), "the internal note is on the employer's page"
    screenshot(page, shots, "06-employer-case")

    page.get_by_label("Write to employer services").fill(ANSWER)
    with _post_response(page) as posted:
        page.get_by_role("button", name="Send message").click()
    assert posted.value.status == 303
    page.wait_for_url(re.compile(r"\?sent=1#messages$"))
    expect(page.locator(".notification")).to_have_text("Your message was sent.")
    expect(status).to_contain_text("We are working on your request")
    mine = messages.locator("article.message.employer")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text(ANSWER)
    expect(mine.locator("header strong")).to_have_text("You")
    screenshot(page, shots, "07-employer-answered")


def adviser_sees_the_answer_and_history(page: Any, shots: Path) -> None:
    """Step 4b. The case is open again; the history tells the whole story."""
    page.reload()
    heading = page.get_by_role("heading", level=1)
    expect(heading.locator(".tag")).to_have_text("Open")
    expect(page.locator("article.message.employer")).to_contain_text(ANSWER)
    adviser = "Pekka Adviser (Päijät-Häme)"
    assert _history(page) == [
        "Request received – Employer",
        "Routed Päijät-Häme employer services – System",
        f"Claimed – {adviser}",
        f"Status changed New → Open – {adviser}",
        f"Internal note added – {adviser}",
        f"Public reply sent – {adviser}",
        f"Information requested from the employer – {adviser}",
        "Status changed Waiting for the employer → Open – Employer",
        "Employer answered – Employer",
    ]
    screenshot(page, shots, "08-staff-case-answered")


def assignee_is_told_of_the_answer(stack: Stack, ref: str) -> None:
    """Step 4d. The employer's answer is emailed to the adviser who claimed the case."""
    mail = wait_for_mail(
        stack.mail_dir,
        lambda m: m["To"] == ADVISER_PAIJAT_HAME and ref in str(m["Subject"]),
        "the assignee's notice of the employer's answer",
    )
    # Staff mail is in the adviser's own language (Finnish for this demo user).
    assert mail["Content-Language"] == "fi"
    assert ANSWER in text_of(mail)
    assert f"{stack.base_url}/staff/cases/{ref}" in text_of(mail)


def admin_reads_caught_mail(page: Any, shots: Path, reference: str, link: str) -> None:
    """Step 4c. The admin sees the caught mail in the development mail page."""
    sign_in(page, ADMIN)
    page.get_by_role("link", name="Caught mail (development)").click()
    page.wait_for_url("**/admin/dev/mail")
    subject = f"We received your request {reference}"
    row = page.locator("tbody tr", has=page.get_by_role("link", name=subject))
    expect(row).to_have_count(1)
    expect(row).to_contain_text(VALID_REQUEST["email"])
    # The subject is in the mail's language, marked so a screen reader reads it right.
    expect(row.get_by_role("link")).to_have_attribute("lang", "en")
    received = row.locator("td").first
    expect(received.locator("time")).to_have_attribute(
        "datetime", re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
    )
    expect(received).not_to_have_text(re.compile(r"^\s*\d+\s*$"))  # not a bare epoch
    screenshot(page, shots, "09-admin-mail")
    row.get_by_role("link", name=subject).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(subject)
    expect(page.get_by_test_id("mail-text")).to_contain_text(link)
    screenshot(page, shots, "10-admin-mail-message")


def test_employer_and_adviser_round_trip(new_page: Any, desk_stack: Stack, shots_dir: Path) -> None:
    employer = new_page()
    reference, private_path = employer_sends_request_with_mistakes_then_fixes_it(
        employer, shots_dir
    )

    # The adviser need not wait for the mail: the case is in the queue at once.
    adviser = new_page()
    adviser_works_the_case(adviser, shots_dir, reference)

    link = confirmation_email_arrives(desk_stack, reference, private_path)
    reply_email_arrives_without_the_note(desk_stack, reference, link)

    # The employer follows the emailed link in their own browser (no cookies of the form).
    employer_answers_through_private_link(new_page(), shots_dir, link)
    adviser_sees_the_answer_and_history(adviser, shots_dir)
    admin_reads_caught_mail(new_page(), shots_dir, reference, link)
    assignee_is_told_of_the_answer(desk_stack, reference)


def test_other_authoritys_adviser_does_not_see_the_case(new_page: Any) -> None:
    """The queue is per team: a Lahti adviser does not get a Päijät-Häme case."""
    employer = new_page()
    employer.goto("/request")
    fill_request(employer, {**VALID_REQUEST, "organisation_name": "Sysmän Sahat Oy"})
    employer.get_by_role("button", name="Send request").click()
    employer.wait_for_url(re.compile(r"\?submitted=1$"))
    reference = employer.locator(".confirmation .reference").inner_text()

    lahti = new_page(signed_in_as="adviser.lahti@desk.invalid")
    lahti.goto("/staff/")
    expect(lahti.get_by_role("heading", level=1)).to_have_text("Team queue")
    expect(lahti.get_by_role("link", name=reference)).to_have_count(0)
    response = lahti.goto(f"/staff/cases/{reference}")
    assert response.status == 404

    own = new_page(signed_in_as=ADVISER_PAIJAT_HAME)
    own.goto("/staff/")
    expect(own.get_by_role("link", name=reference)).to_have_count(1)


def test_caught_mail_page_is_for_admins_only(new_page: Any) -> None:
    page = new_page(signed_in_as=ADVISER_PAIJAT_HAME)
    page.goto("/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Team queue")
    expect(page.get_by_role("link", name="Caught mail (development)")).to_have_count(0)
    response = page.goto("/admin/dev/mail")
    assert response.status == 403
