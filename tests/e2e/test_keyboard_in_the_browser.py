"""A day's work by keyboard only: sign in, move through the queue, open, claim, reply, note,
go to the next case, search, and the shortcut overlay; axe-core on every page on the way, in
Finnish, Swedish and English. No mouse click anywhere in this module."""

from __future__ import annotations

from typing import Any

import pytest

from desk.services import cases
from tests.conftest import PASSWORD, raw_submission
from tests.e2e.test_sla_in_the_browser import no_violations

REPLY = "Kiitos, palaamme asiaan huomenna. [kbd-reply-51]"
NOTE = "Soitettu, ei vastausta. [kbd-note-52]"


def _focused(page: Any) -> str:
    """What has the keyboard focus: its id, or the text of a focused link."""
    return str(
        page.evaluate(
            "() => document.activeElement.id || document.activeElement.textContent.trim()"
        )
    )


def _sign_in_by_keyboard(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login?lang=en")
    page.keyboard.press("Tab")  # the skip link comes first ...
    while _focused(page) != "email":  # ... then the header's links, then the form
        page.keyboard.press("Tab")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/staff/")


@pytest.mark.browser
def test_a_days_work_by_keyboard_only(live, browser, app_session, staff) -> None:
    staff("adviser@example.fi")
    first = cases.submit_case(app_session, raw_submission(description="Tarvitsemme kokkeja."))
    second = cases.submit_case(
        app_session, raw_submission(description="Etsimme hitsaajia [kbd-word-53] syksyksi.")
    )
    page = browser.new_page()
    _sign_in_by_keyboard(page, live, "adviser@example.fi")
    no_violations(page)

    # j moves down the queue (nearest due first: both new, the older first), Enter opens.
    page.keyboard.press("j")
    assert _focused(page) == first.reference
    page.keyboard.press("j")
    assert _focused(page) == second.reference
    page.keyboard.press("k")
    assert _focused(page) == first.reference
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live}/staff/cases/{first.reference}")
    no_violations(page)

    # c claims, r goes to the reply, Ctrl+Enter sends it; n and Ctrl+Enter save a note.
    with page.expect_navigation():
        page.keyboard.press("c")
    assert "You are now handling this case." in page.locator("[role=status]").inner_text()
    page.keyboard.press("r")
    assert _focused(page) == "reply_body"
    page.keyboard.type(REPLY)
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    assert "Reply sent to the employer." in page.locator("[role=status]").inner_text()
    page.keyboard.press("n")
    assert _focused(page) == "note_body"
    page.keyboard.type(NOTE)
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    assert REPLY in page.content() and NOTE in page.content()
    no_violations(page)

    # j on a case page opens the next case of the list the adviser came from.
    page.keyboard.press("j")
    page.wait_for_url(f"{live}/staff/cases/{second.reference}")

    # / goes to the search box; a word of the description finds the case.
    page.keyboard.press("/")
    assert _focused(page) == "nav-search"
    page.keyboard.type("kbd-word-53")
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff/search?**")
    no_violations(page)
    page.keyboard.press("j")
    assert _focused(page) == second.reference
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live}/staff/cases/{second.reference}")

    # u back to the queue; ? shows the shortcuts, Esc closes them and focus comes back.
    page.keyboard.press("u")
    page.wait_for_url(f"{live}/staff/")
    titles = {"fi": "Pikanäppäimet", "sv": "Kortkommandon", "en": "Keyboard shortcuts"}
    for language, title in titles.items():
        page.goto(f"{live}/staff/?lang={language}")
        page.keyboard.press("?")
        dialog = page.locator("#keyboard-help")
        assert dialog.is_visible()
        assert dialog.get_by_role("heading").inner_text() == title
        no_violations(page)
        page.keyboard.press("Escape")
        assert not dialog.is_visible()
    page.screenshot(path="/tmp/shots/keyboard-queue.png", full_page=True)


@pytest.mark.browser
def test_shortcuts_stay_quiet_while_typing(live, browser, app_session, staff) -> None:
    staff("adviser@example.fi")
    case = cases.submit_case(app_session, raw_submission())
    page = browser.new_page()
    _sign_in_by_keyboard(page, live, "adviser@example.fi")
    page.goto(f"{live}/staff/cases/{case.reference}?lang=en")
    page.keyboard.press("r")
    page.keyboard.type("just checking")  # holds j, k, c, u and n: none may fire
    assert page.url == f"{live}/staff/cases/{case.reference}?lang=en"
    assert page.locator("#reply_body").input_value() == "just checking"
    assert not page.locator("#keyboard-help").is_visible()
