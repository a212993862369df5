"""The public part of issue 12 in the browser's terms: the privacy notice, the accessibility
statement and its feedback form, the email-choices link and its one-click, the survey, the
rate limit of the public forms, and control characters on the request form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from desk.app import create_app
from desk.domain.business_calendar import HELSINKI
from desk.models import Case
from desk.services import cases, signed_links, survey
from desk.services.notify import preferences
from tests.conftest import login, raw_submission
from tests.support.actors import as_staff
from tests.web.test_public_form import VALID


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def _secret(app: Any) -> str:
    return str(app.config["SECRET_KEY"])


@pytest.mark.parametrize(
    ("language", "privacy", "statement"),
    [
        ("fi", "Tietosuojaseloste", "Saavutettavuusseloste"),
        ("sv", "Dataskyddsbeskrivning", "Tillgänglighetsutlåtande"),
        ("en", "Privacy notice", "Accessibility statement"),
    ],
)
def test_the_public_pages_in_every_language_linked_from_the_footer(
    client: Any, language: str, privacy: str, statement: str
) -> None:
    front = text(client.get(f"/?lang={language}"))
    for href in ('href="/privacy"', 'href="/accessibility"', 'href="/accessibility/feedback"'):
        assert href in front
    page = text(client.get(f"/privacy?lang={language}"))
    assert f'<html lang="{language}">' in page and f"<h1>{privacy}</h1>" in page
    for fact in ("Hollola", "380/2023", "906/2019", "tietosuoja.fi"):
        assert fact in page
    page = text(client.get(f"/accessibility?lang={language}"))
    assert f"<h1>{statement}</h1>" in page
    assert "WCAG" in page and "306/2019" in page and "saavutettavuusvaatimukset.fi" in page
    assert client.get(f"/accessibility/feedback?lang={language}").status_code == 200


def test_feedback_becomes_a_case_and_bad_input_keeps_what_was_typed(
    client: Any, app_session: Session
) -> None:
    data = {
        "name": "Aino\x07",
        "email": "aino(at)example.fi",
        "page": "/request",
        "description": "",
    }
    response = client.post("/accessibility/feedback?lang=en", data=data)
    page = text(response)
    assert response.status_code == 422 and "There is a problem" in page
    assert "contains a control character" in page
    assert "Enter an email address in the correct format" in page
    assert "Describe the accessibility problem" in page
    assert 'value="aino(at)example.fi"' in page and 'value="/request"' in page

    data = {
        "name": "Aino",
        "email": "aino@example.fi",
        "page": "/request",
        "description": "Tab order.",
    }
    response = client.post("/accessibility/feedback?lang=en", data=data)
    assert response.status_code == 303 and response.headers["Location"].endswith("sent=1")
    case = app_session.scalars(select(Case).where(Case.email == "aino@example.fi")).one()
    assert case.need_code == "accessibility-feedback" and case.language == "en"
    assert "We answer within 14 days" in text(client.get("/accessibility/feedback?sent=1&lang=en"))


def test_the_request_form_refuses_control_characters_and_hides_the_feedback_need(
    client: Any,
) -> None:
    response = client.post("/request?lang=en", data={**VALID, "organisation_name": "Puu\x1bOy"})
    page = text(response)
    assert response.status_code == 422
    assert "Organisation name contains a control character" in page
    assert "Puu\x1bOy" in page or "Puu&#27;Oy" in page or 'value="Puu' in page
    assert 'value="accessibility-feedback"' not in text(client.get("/request?lang=en"))


def test_the_api_refuses_control_characters_too(client: Any) -> None:
    body = {**VALID, "contact_name": "Harri\nHartolainen"}
    response = client.post("/api/v1/cases", json=body)
    assert response.status_code == 422
    assert "contact_name" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "field", ["workplace_address", "workplace_2_municipality", "workplace_2_address"]
)
def test_the_request_form_refuses_nul_in_the_workplace_fields(
    client: Any, app_session: Session, field: str
) -> None:
    data = {**VALID, "workplace_2_municipality": "Hollola", field: "Asema\x00tie 1"}
    response = client.post("/request?lang=en", data=data)
    assert response.status_code == 422
    assert "contains a control character" in text(response)
    assert f'id="{field}-error"' in text(response)
    if field.endswith("address"):  # a text input keeps what was typed (a select cannot)
        assert 'value="Asema' in text(response)
    assert app_session.scalars(select(Case)).first() is None


def test_the_request_form_refuses_direction_overrides_and_invisible_names(
    client: Any, app_session: Session
) -> None:
    spoofed = {**VALID, "organisation_name": "Puu\u202eyO", "contact_name": "\u200b\u2060"}
    response = client.post("/request?lang=en", data=spoofed)
    page = text(response)
    assert response.status_code == 422
    assert "Organisation name contains a character that changes the reading direction" in page
    assert "Enter the name of the contact person" in page
    finnish = text(client.post("/request?lang=fi", data=spoofed))
    assert "muuttaa lukusuuntaa" in finnish
    assert app_session.scalars(select(Case)).first() is None


def test_the_public_form_is_rate_limited_keeping_what_was_typed(app: Any, client: Any) -> None:
    app.config["PUBLIC_FORM_RATE_LIMIT"] = "2 per minute"
    bad = {**VALID, "email": ""}  # invalid, so nothing is stored: the limit counts all POSTs
    for _ in range(2):
        assert client.post("/request?lang=en", data=bad).status_code == 422
    response = client.post("/request?lang=en", data={**bad, "description": "Kept text"})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    page = text(response)
    assert "Too many forms were sent from your address" in page and "Kept text" in page
    # Other pages and the other form count on their own.
    assert client.get("/request").status_code == 200
    fb = {"email": "a@example.fi", "description": "x"}
    assert client.post("/accessibility/feedback", data=fb).status_code == 303


def test_the_feedback_form_is_rate_limited(app: Any, client: Any) -> None:
    app.config["PUBLIC_FORM_RATE_LIMIT"] = "1 per minute"
    assert client.post("/accessibility/feedback", data={}).status_code == 422
    response = client.post("/accessibility/feedback?lang=fi", data={"page": "/x"})
    assert response.status_code == 429 and 'value="/x"' in text(response)


# --- the email-choices link -------------------------------------------------------------


def test_the_signed_link_changes_the_case_or_the_person(
    app: Any, client: Any, app_session: Session
) -> None:
    first = cases.submit_case(app_session, raw_submission(email="teija@example.fi"))
    second = cases.submit_case(app_session, raw_submission(email="teija@example.fi"))
    url = f"/email-choices/{signed_links.email_choices_token(_secret(app), first.id, first.email)}"
    response = client.get(f"{url}?lang=en")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert first.reference in text(response) and "teija@example.fi" in text(response)

    response = client.post(f"{url}?lang=en", data={"emails": "", "scope": "galaxy"})
    page = text(response)
    assert response.status_code == 422 and "Choose how you want to hear of this" in page
    assert "Choose one of the options" in page

    assert client.post(url, data={"emails": "necessary", "scope": "case"}).status_code == 303
    assert preferences.case_choice(app_session, first.id) == "necessary"
    assert not preferences.employer_opted_out_for_case(app_session, second)
    assert client.post(url, data={"emails": "necessary", "scope": "person"}).status_code == 303
    assert preferences.employer_opted_out_for_case(app_session, second)
    app_session.commit()
    assert client.get("/email-choices/forged-token").status_code == 404
    assert client.post("/email-choices/forged-token", data={"emails": "all"}).status_code == 404


@pytest.fixture
def csrf_app(sqlite_url: str, sqlite_engine: Engine, tmp_path: Path) -> Iterator[Any]:
    """The app with CSRF protection on, as in production."""
    from tests.conftest import _clean

    _clean(sqlite_engine)
    app = create_app(
        {"DATABASE_URL": sqlite_url, "BROKER_SQLITE_PATH": str(tmp_path / "b.sqlite3")}
    )
    yield app
    _clean(sqlite_engine)
    app.extensions["desk.engine"].dispose()


def test_one_click_needs_no_cookie_nor_csrf_token_but_the_form_does(csrf_app: Any) -> None:
    with csrf_app.extensions["desk.sessions"]() as session:
        case = cases.submit_case(session, raw_submission())
        token = signed_links.email_choices_token(_secret(csrf_app), case.id, case.email)
        case_id = case.id
    client = csrf_app.test_client()
    url = f"/email-choices/{token}"
    response = client.post(f"{url}?lang=en", data={"emails": "necessary", "scope": "person"})
    assert response.status_code == 400 and "Your session expired" in text(response)
    # RFC 8058: the mail provider POSTs this body to the URL, with no cookie.
    response = client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    with csrf_app.extensions["desk.sessions"]() as session:
        assert preferences.case_choice(session, case_id) == "necessary"
        assert not preferences.employer_opted_out(session, "teija@example.fi")


# --- the survey -------------------------------------------------------------------------


def _resolved_case(app_session: Session, staff: Any) -> Case:
    adviser = staff("adviser@example.fi")
    case = cases.submit_case(app_session, raw_submission(language="sv"))
    cases.change_status(app_session, as_staff(adviser), case.id, "resolved")
    return case


def test_the_survey_in_the_cases_language_answered_once(
    app: Any, client: Any, app_session: Session, staff: Any
) -> None:
    case = _resolved_case(app_session, staff)
    url = f"/portal/survey/{signed_links.survey_token(_secret(app), case.id)}"
    page = text(client.get(url))
    assert '<html lang="sv">' in page and case.reference in page
    assert '<html lang="fi">' in text(client.get(f"{url}?lang=fi"))

    response = client.post(f"{url}?lang=en", data={"score": "9", "comment": "Kept"})
    assert response.status_code == 422 and "Select a number from 1 to 5" in text(response)
    assert "Kept" in text(response)
    response = client.post(f"{url}?lang=en", data={"score": "5", "comment": "Great"})
    assert response.status_code == 303 and "thanks=1" in response.headers["Location"]
    assert "Thank you for your answer." in text(client.get(response.headers["Location"]))
    response = client.post(f"{url}?lang=en", data={"score": "1"})
    assert response.status_code == 409 and "already been answered" in text(response)
    assert "already been answered" in text(client.get(f"{url}?lang=en"))
    assert survey.response_for_case(app_session, case.id).score == 5  # type: ignore[union-attr]
    assert client.get("/portal/survey/forged").status_code == 404


def test_an_unresolved_case_has_no_survey(app: Any, client: Any, app_session: Session) -> None:
    case = cases.submit_case(app_session, raw_submission())
    url = f"/portal/survey/{signed_links.survey_token(_secret(app), case.id)}"
    assert client.get(url).status_code == 404
    assert client.post(url, data={"score": "3"}).status_code == 404


def test_staff_see_the_answer_and_the_reports_count_it(
    app: Any, client: Any, app_session: Session, staff: Any
) -> None:
    case = _resolved_case(app_session, staff)
    token = signed_links.survey_token(_secret(app), case.id)
    survey.answer(app_session, _secret(app), token, "4", "Helpful adviser", "sv")
    login(client, "adviser@example.fi")
    page = text(client.get(f"/staff/cases/{case.reference}?lang=en"))
    assert "Satisfaction survey" in page and "Answer: 4 of 5" in page and "Helpful adviser" in page

    staff("manager@example.fi", role="manager", teams=())
    login(client, "manager@example.fi")
    today = datetime.now(HELSINKI).date().isoformat()
    page = text(client.get(f"/reports?from={today}&to={today}&lang=en"))
    assert re.search(r"Answers in the period: 1\. Average: 4(\.0)? of 5\.", page), page[-3000:]
    assert 'data-testid="survey-table"' in page


def test_the_resolution_email_carries_the_survey_link(app: Any) -> None:
    with app.test_request_context("/?lang=en"):
        from flask import render_template

        html = render_template(
            "emails/case_resolved.html",
            contact_name="Teija",
            authority="A",
            reference="TP-1",
            need="N",
            link="http://desk.test/case/x",
            survey_link="http://desk.test/portal/survey/abc",
            preferences_link="",
        )
    assert "http://desk.test/portal/survey/abc" in html and "Answer the survey" in html
