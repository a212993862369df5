"""The employer portal in a real browser on the full desk (worker, beat, SMTP catcher): a
request sent before signing up, magic-link sign-in with the link read from the desk's real
SMTP server, the case in "my requests", a reply, switching language, withdrawing; axe-core on
every new page in Finnish, Swedish and English."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Stack
from tests.e2e.helpers import VALID_REQUEST, assert_accessible, fill_request, text_of, wait_for_mail

EMAIL = "portal.e2e@example.fi"
BUSINESS_ID = "1572860-0"  # an employer of its own: no other test's cases
LANGUAGES = ("fi", "sv", "en")
SIGN_IN_LINK = re.compile(r"https?://[^/\s]+(/portal/sign-in/[A-Za-z0-9_.\-]+)")


@pytest.mark.browser
def test_an_employer_signs_in_by_magic_link_and_follows_the_request(
    desk_stack: Stack, new_page: Any
) -> None:
    # A request sent before the person has an account; the token leaves the address bar.
    employer = new_page()
    employer.goto("/request?lang=en")
    fill_request(employer, {**VALID_REQUEST, "business_id": BUSINESS_ID, "email": EMAIL})
    employer.get_by_role("button", name="Send request").click()
    employer.wait_for_url(re.compile(r"/portal/cases/TP-\d{4}-\d{6}\?submitted=1$"))
    reference = employer.locator(".confirmation .reference").inner_text()
    assert_accessible(employer, "portal case page after submitting")

    # Another browser signs in with the address: the answer says nothing about the address.
    person = new_page()
    for language in LANGUAGES:
        person.goto(f"/portal/sign-in?lang={language}")
        assert_accessible(person, f"sign-in page {language}")
    person.goto("/portal/sign-in?lang=en")
    person.get_by_label("Email address").fill("not an address")
    person.get_by_role("button", name="Send me a sign-in link").click()
    expect(person.locator(".error-summary")).to_be_visible()
    assert person.locator("#email").input_value() == "not an address"
    assert_accessible(person, "sign-in page with an error")
    person.get_by_label("Email address").fill(EMAIL)
    person.get_by_role("button", name="Send me a sign-in link").click()
    expect(person.get_by_test_id("sign-in-sent")).to_be_visible()
    assert_accessible(person, "sign-in link sent")

    mail = wait_for_mail(
        desk_stack.mail_dir,
        lambda m: m["To"] == EMAIL and "sign-in link" in str(m["Subject"]),
        "the sign-in link",
    )
    found = SIGN_IN_LINK.search(text_of(mail))
    assert found is not None, text_of(mail)
    person.goto(found.group(1) + "?lang=en")  # opening the link signs nobody in yet
    assert_accessible(person, "sign-in confirmation")
    person.get_by_role("button", name="Sign in").click()
    person.wait_for_url(re.compile(r"/portal/cases$"))
    expect(person.get_by_test_id("my-cases")).to_contain_text(reference)
    for language in LANGUAGES:
        person.goto(f"/portal/cases?lang={language}")
        assert_accessible(person, f"my requests {language}")
        person.goto(f"/portal/organisation?lang={language}")  # the first contact: the admin
        assert_accessible(person, f"organisation contacts {language}")

    # The case page: reply, switch language (remembered), withdraw.
    person.goto("/portal/cases?lang=en")
    person.get_by_role("link", name=reference).click()
    expect(person.get_by_test_id("status-words")).to_contain_text("We have received your request")
    person.get_by_label("Write to employer services").fill("We could start in May.")
    person.get_by_role("button", name="Send message").click()
    expect(person.locator(".notification.success")).to_contain_text("Your message was sent.")
    assert_accessible(person, "portal case page en")
    person.get_by_role("link", name="På svenska").click()
    expect(person.locator("html")).to_have_attribute("lang", "sv")
    assert_accessible(person, "portal case page sv")
    person.get_by_role("link", name="Suomeksi").click()
    expect(person.locator("html")).to_have_attribute("lang", "fi")
    assert_accessible(person, "portal case page fi")
    person.get_by_role("link", name="In English").click()
    person.get_by_label("Why do you withdraw the request?").fill("We found a carpenter.")
    person.get_by_role("button", name="Withdraw the request").click()
    expect(person.get_by_test_id("status-words")).to_contain_text("Your request is closed")
    expect(person.get_by_test_id("timeline")).to_contain_text("You withdrew the request")
    assert_accessible(person, "withdrawn case")

    # Signing out: the list is behind the sign-in again.
    person.get_by_role("button", name="Sign out").click()
    person.wait_for_url(re.compile(r"/portal/sign-in$"))
    person.goto("/portal/cases")
    assert person.url.endswith("/portal/sign-in")
