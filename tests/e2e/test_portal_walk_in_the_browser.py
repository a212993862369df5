"""Issue 12's "done when", walked in a real browser on the full desk, once in Finnish and once
in English: a new employer sends a request before having an account, signs in by the magic
link the desk really mails, finds that request in "my requests", sends two requests for two
workplaces with a PDF from the prefilled form, answers an adviser's question with a file and
rates the result from the resolution email's survey link; the rating is on the staff page.
axe-core runs on every portal page reached; screenshots go to /tmp/portal-walk-*.png."""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Stack
from tests.e2e.helpers import (
    ADVISER_PAIJAT_HAME,
    VALID_REQUEST,
    assert_accessible,
    fill_request,
    text_of,
    wait_for_mail,
)
from tests.support import sample_files as f

pytestmark = pytest.mark.browser

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path("/tmp")
SIGN_IN_LINK = re.compile(r"https?://[^/\s]+(/portal/sign-in/[A-Za-z0-9_.\-]+)")
SURVEY_LINK = re.compile(r"https?://[^/\s]+(/portal/survey/[A-Za-z0-9_.\-]+)")

# Each walk is a new employer of its own (valid business ids no other test uses).
EMPLOYERS = {
    "fi": ("walk.fi@example.fi", "2814731-1", "Kävelijän Puutyö Oy"),
    "en": ("walk.en@example.fi", "2814733-8", "Walker Joinery Oy"),
}
# Two workplaces in the Päijät-Häme area (Orimattila and Hollola): one request for each.
WORKPLACES = (("560", "Sahatie 4, Orimattila"), ("098", "Työmaa, Hollola"))
QUESTION = "Which weeks of May suit you for interviews? [walk-question]"
ANSWER = "The first two weeks of May; the shift plan is attached. [walk-answer]"
COMMENT = "Quick and clear answers, thank you. [walk-comment]"


def translator(language: str) -> Callable[[str], str]:
    """The UI's own wording in that language, from the compiled catalogue (`make translations`);
    English is the msgid itself."""
    if language == "en":
        return lambda msgid: msgid
    catalogue = gettext.translation(
        "messages", localedir=str(PROJECT_ROOT / "desk" / "translations"), languages=[language]
    )
    return catalogue.gettext


def shot(page: Any, language: str, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"portal-walk-{language}-{name}.png"), full_page=True)


def portal_page(page: Any, language: str, name: str) -> None:
    """Every portal page reached: in the walk's language, no axe violations, a screenshot."""
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert_accessible(page, f"{name} ({language})")
    shot(page, language, name)


def mail_to(email: str, pattern: re.Pattern[str]) -> Callable[[EmailMessage], bool]:
    return lambda m: m["To"] == email and pattern.search(text_of(m)) is not None


def submit_from_the_form(page: Any, _: Callable[[str], str], values: dict[str, str]) -> str:
    """Send the request form as it stands plus values; returns the new case's reference."""
    fill_request(page, values)
    page.get_by_role("button", name=_("Send request")).click()
    page.wait_for_url(re.compile(r"/portal/cases/TP-\d{4}-\d{6}\?submitted=1$"))
    return str(page.locator(".confirmation .reference").inner_text())


@pytest.mark.parametrize("language", ["fi", "en"])
def test_a_new_employer_walks_the_portal(desk_stack: Stack, new_page: Any, language: str) -> None:
    _ = translator(language)
    email, business_id, organisation = EMPLOYERS[language]

    # 1. Before having an account: the public form, as anyone would.
    before = new_page()
    before.goto(f"/request?lang={language}")
    first = submit_from_the_form(
        before,
        _,
        {
            **VALID_REQUEST,
            "business_id": business_id,
            "organisation_name": organisation,
            "email": email,
            "language": language,
        },
    )
    portal_page(before, language, "01-first-request-received")

    # 2. Later, in another browser: sign in by the link the desk mails.
    person = new_page()
    person.goto(f"/?lang={language}")
    main_nav = person.get_by_role("navigation", name=_("Main"))
    main_nav.get_by_role("link", name=_("My requests")).click()
    person.wait_for_url(re.compile(r"/portal/sign-in$"))
    portal_page(person, language, "02-sign-in")
    person.get_by_label(_("Email address")).fill(email)
    person.get_by_role("button", name=_("Send me a sign-in link")).click()
    expect(person.get_by_test_id("sign-in-sent")).to_be_visible()
    portal_page(person, language, "03-sign-in-link-sent")
    mail = wait_for_mail(desk_stack.mail_dir, mail_to(email, SIGN_IN_LINK), "sign-in link")
    assert mail["Content-Language"] == language
    link = SIGN_IN_LINK.search(text_of(mail))
    assert link is not None
    person.goto(link.group(1))
    portal_page(person, language, "04-sign-in-confirm")
    person.get_by_role("button", name=_("Sign in")).click()
    person.wait_for_url(re.compile(r"/portal/cases$"))

    portal_nav = person.get_by_role("navigation", name=_("Employer portal"))

    # 3. The request sent before signing up is there.
    my_cases = person.get_by_test_id("my-cases")
    expect(my_cases).to_contain_text(first)
    expect(my_cases).to_contain_text(_("We have received your request"))
    portal_page(person, language, "05-my-requests")

    # 4. Two requests, one for each workplace, with a PDF, from the prefilled form.
    references = []
    for n, (municipality, address) in enumerate(WORKPLACES, start=1):
        portal_nav.get_by_role("link", name=_("New request")).click()
        person.wait_for_url(re.compile(r"/request"))
        # Signed in: who and which organisation are already filled in.
        expect(person.locator("#email")).to_have_value(email)
        expect(person.locator("#business_id")).to_have_value(business_id)
        expect(person.locator("#organisation_name")).to_have_value(organisation)
        if n == 1:
            portal_page(person, language, "06-prefilled-form")
        person.locator("#workplace_address").fill(address)
        person.locator("#attachments").set_input_files(
            [{"name": f"tyovuorot-{n}.pdf", "mimeType": "application/pdf", "buffer": f.PDF}]
        )
        reference = submit_from_the_form(
            person,
            _,
            {
                "contact_name": VALID_REQUEST["contact_name"],
                "phone": VALID_REQUEST["phone"],
                "municipality": municipality,
                "need": "recruitment",
                "description": f"Two carpenters for {address}.",
                "language": language,
            },
        )
        expect(person.get_by_role("link", name=f"tyovuorot-{n}.pdf")).to_be_visible()
        references.append(reference)
    portal_page(person, language, "07-second-request-received")
    assert len({first, *references}) == 3
    portal_nav.get_by_role("link", name=_("My requests")).click()
    for reference in (first, *references):
        expect(my_cases).to_contain_text(reference)
    portal_page(person, language, "08-three-requests")
    asked = references[0]

    # 5. The adviser asks a question on the first workplace's case (staff pages in English).
    adviser = new_page(signed_in_as=ADVISER_PAIJAT_HAME)
    adviser.goto(f"/staff/cases/{asked}?lang=en")
    expect(adviser.locator("main")).to_contain_text(WORKPLACES[0][1])
    adviser.get_by_role("button", name="Claim this case").click()
    expect(adviser.locator(".notification")).to_have_text("You are now handling this case.")
    adviser.get_by_label("Ask the employer for information").fill(QUESTION)
    adviser.get_by_role("button", name="Send the question").click()
    heading = adviser.get_by_role("heading", level=1)
    expect(heading.locator(".tag")).to_have_text("Waiting for the employer")

    # 6. The employer sees the wait on the portal and answers with a file.
    person.goto("/portal/cases")
    row = my_cases.locator("tr", has=person.get_by_role("link", name=asked))
    expect(row).to_contain_text(_("We are waiting for your answer"))
    row.get_by_role("link", name=asked).click()
    expect(person.get_by_test_id("status-words")).to_contain_text(
        _("We are waiting for your answer")
    )
    expect(person.locator("#messages article.message.staff")).to_contain_text(QUESTION)
    portal_page(person, language, "09-waiting-for-your-answer")
    person.get_by_label(_("Write to employer services")).fill(ANSWER)
    person.locator("#attachments").set_input_files(
        [{"name": "vuorolista.pdf", "mimeType": "application/pdf", "buffer": f.PDF}]
    )
    person.get_by_role("button", name=_("Send message")).click()
    person.wait_for_url(re.compile(r"\?sent=1#messages$"))
    expect(person.locator(".notification.success")).to_contain_text(_("Your message was sent."))
    mine = person.locator("#messages article.message.employer")
    expect(mine).to_contain_text(ANSWER)
    expect(mine.get_by_role("link", name="vuorolista.pdf")).to_be_visible()
    expect(person.get_by_test_id("status-words")).to_contain_text(
        _("We are working on your request")
    )
    # The timeline tells what happened in the past tense, not the status words again.
    timeline = person.get_by_test_id("timeline")
    expect(timeline).to_contain_text(_("We asked you for more information"))
    expect(timeline).to_contain_text(_("You answered our question"))
    expect(timeline).not_to_contain_text(_("We are waiting for your answer"))
    portal_page(person, language, "10-answered")

    # 7. The adviser sees the answer and its file, and resolves the case.
    adviser.reload()
    expect(adviser.locator("article.message.employer")).to_contain_text(ANSWER)
    expect(adviser.get_by_role("link", name="vuorolista.pdf")).to_be_visible()
    adviser.locator("#resolution_category").select_option("service_provided")
    adviser.get_by_role("button", name="Resolve the case").click()
    expect(heading.locator(".tag")).to_have_text("Resolved")

    # 8. The resolution email (in the employer's language) carries the survey link.
    resolved = wait_for_mail(
        desk_stack.mail_dir,
        lambda m: (
            m["To"] == email and asked in str(m["Subject"]) and bool(SURVEY_LINK.search(text_of(m)))
        ),
        "the resolution email with the survey link",
    )
    assert resolved["Content-Language"] == language
    survey = SURVEY_LINK.search(text_of(resolved))
    assert survey is not None
    person.goto(f"/portal/cases/{asked}")
    expect(person.get_by_test_id("status-words")).to_contain_text(
        _("Your request has been handled")
    )
    expect(person.get_by_test_id("survey-link")).to_be_visible()
    portal_page(person, language, "11-handled")

    person.goto(survey.group(1))
    portal_page(person, language, "12-survey")
    person.locator("label[for='score-4']").click()
    person.locator("#comment").fill(COMMENT)
    person.get_by_role("button", name=_("Send answer")).click()
    expect(person.locator(".notification")).to_contain_text(_("Thank you for your answer."))
    portal_page(person, language, "13-survey-answered")
    # Answered once: the case page no longer offers the survey.
    person.goto(f"/portal/cases/{asked}")
    expect(person.get_by_test_id("survey-link")).to_have_count(0)
    assert urlsplit(person.url).path == f"/portal/cases/{asked}"

    # 9. The rating is on the staff case page.
    adviser.goto(f"/staff/cases/{asked}?lang=en")
    panel = adviser.locator("section[aria-labelledby='satisfaction-title']")
    expect(panel).to_contain_text("Answer: 4 of 5")
    expect(panel).to_contain_text(COMMENT)
    shot(adviser, language, "14-staff-sees-the-rating")
