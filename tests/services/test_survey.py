"""The satisfaction survey: a signed link per resolved case, one answer per case, and the
report's figures in the actor's scope (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from desk.domain.business_calendar import HELSINKI
from desk.services import cases, signed_links, survey
from desk.services.access import Actor
from desk.services.errors import Forbidden
from desk.services.reports.filters import ReportFilters
from tests.conftest import raw_submission
from tests.support.actors import as_staff

SECRET = "test-secret"


def _resolved(session: Session, adviser: Any, **changes: str) -> Any:
    case = cases.submit_case(session, raw_submission(**changes))
    cases.change_status(session, as_staff(adviser), case.id, "resolved")
    return case


def test_a_resolved_case_is_answered_once(session: Session, make_user: Any) -> None:
    case = _resolved(session, make_user())
    token = signed_links.survey_token(SECRET, case.id)
    assert survey.case_for_token(session, SECRET, token).id == case.id
    response = survey.answer(session, SECRET, token, "4", "  Quick and clear.  ", "fi")
    assert (response.score, response.comment, response.language) == (4, "Quick and clear.", "fi")
    assert survey.response_for_case(session, case.id) is not None
    with pytest.raises(survey.AlreadyAnswered):
        survey.answer(session, SECRET, token, "1", "", "fi")
    assert survey.response_for_case(session, case.id).score == 4  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("score", "comment", "errors"),
    [
        ("", "", {"score": "required"}),
        ("0", "", {"score": "invalid"}),
        ("6", "", {"score": "invalid"}),
        ("three", "", {"score": "invalid"}),
        ("3", "x" * 2001, {"comment": "too_long"}),
        ("3", "bell\x07", {"comment": "control_characters"}),
    ],
)
def test_invalid_answers_are_refused(
    session: Session, make_user: Any, score: str, comment: str, errors: dict[str, str]
) -> None:
    case = _resolved(session, make_user())
    token = signed_links.survey_token(SECRET, case.id)
    with pytest.raises(survey.InvalidAnswer) as caught:
        survey.answer(session, SECRET, token, score, comment, "fi")
    assert caught.value.errors == errors
    assert survey.response_for_case(session, case.id) is None


def test_no_survey_before_resolution_nor_with_a_bad_link(session: Session) -> None:
    case = cases.submit_case(session, raw_submission())
    with pytest.raises(survey.SurveyNotAvailable):
        survey.case_for_token(session, SECRET, signed_links.survey_token(SECRET, case.id))
    for token in (
        "garbage",
        signed_links.survey_token("another-secret", case.id),
        signed_links.email_choices_token(SECRET, case.id, case.email),
    ):
        with pytest.raises(survey.SurveyNotAvailable):
            survey.case_for_token(session, SECRET, token)


def test_an_expired_link_is_refused() -> None:
    token = signed_links.survey_token(SECRET, 7)
    assert signed_links.read_survey_token(SECRET, token) == 7
    with pytest.raises(signed_links.BadLink):
        signed_links.read_survey_token(SECRET, token, max_age=-1)


def test_the_report_counts_the_answers_in_scope(session: Session, make_user: Any) -> None:
    adviser = make_user()
    manager = make_user("manager@example.fi", role="manager", authority="lahti", teams=())
    today = datetime.now(HELSINKI).date()
    answers = [("560", "5"), ("560", "3"), ("398", "1")]  # Orimattila, Orimattila, Lahti
    for municipality, score in answers:
        lahti = municipality == "398"
        handler = manager if lahti else adviser
        case = cases.submit_case(session, raw_submission(municipality=municipality))
        if lahti:
            lahti_adviser = make_user(
                "lahti@example.fi", authority="lahti", teams=("lahti-employer-services",)
            )
            handler = lahti_adviser
        cases.change_status(session, as_staff(handler), case.id, "resolved")
        token = signed_links.survey_token(SECRET, case.id)
        survey.answer(session, SECRET, token, score, "thanks" if score == "5" else "", "fi")

    everyone = survey.survey_summary(session, as_staff(manager), today, today)
    assert everyone.responses == 3 and everyone.average == 3.0 and everyone.comments == 1
    assert everyone.distribution == {1: 1, 2: 0, 3: 1, 4: 0, 5: 1}
    ph = survey.survey_summary(session, as_staff(manager), today, today, "paijat-hame")
    assert (ph.responses, ph.average) == (2, 4.0)
    filtered = survey.survey_summary(
        session, as_staff(manager), today, today, filters=ReportFilters(municipality="398")
    )
    assert filtered.distribution[1] == 1 and filtered.responses == 1
    # An adviser reads only their own teams' answers.
    own = survey.survey_summary(session, as_staff(adviser), today, today)
    assert own.responses == 2
    with pytest.raises(Forbidden):
        survey.survey_summary(session, Actor.employer(as_staff(adviser).channel), today, today)
