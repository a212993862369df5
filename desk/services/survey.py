"""The satisfaction survey: one question (1-5 and an optional comment) after a case is
resolved, answered once per case through the signed link of the resolution email; its
answers on the staff case page and in the reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desk.domain.case_status import CaseStatus
from desk.domain.errors import FieldErrors
from desk.domain.intake import has_control_characters
from desk.models import Authority, Case, SatisfactionResponse, Team, utcnow
from desk.services import signed_links
from desk.services.access import Actor, report_team_ids
from desk.services.reports.filters import (
    ReportFilters,
    case_condition,
    checked_period,
    validate,
)
from desk.services.reports.sla_report import in_span

SCORES: Final = (1, 2, 3, 4, 5)
MAX_COMMENT: Final = 2000
# A case that reached one of these has been resolved: the survey asks about that.
ANSWERABLE: Final = frozenset({CaseStatus.RESOLVED, CaseStatus.CLOSED})


class SurveyNotAvailable(LookupError):
    """The link is not valid, or its case is gone or not resolved."""


class AlreadyAnswered(Exception):
    """The case's survey has been answered already (once per case)."""


class InvalidAnswer(FieldErrors):
    """The answer is not valid; errors maps field (score, comment) to an error code."""


def case_for_token(session: Session, secret: str, token: str) -> Case:
    """The resolved case a survey link was sent for; raises SurveyNotAvailable."""
    try:
        case_id = signed_links.read_survey_token(secret, token)
    except signed_links.BadLink as exc:
        raise SurveyNotAvailable(str(exc)) from exc
    case = session.get(Case, case_id)
    if case is None or case.status not in ANSWERABLE:
        raise SurveyNotAvailable("the case is gone or not resolved")
    return case


def response_for_case(session: Session, case_id: int) -> SatisfactionResponse | None:
    """The case's answer, if it has one."""
    return session.scalar(
        select(SatisfactionResponse).where(SatisfactionResponse.case_id == case_id)
    )


def _validate(score_text: str, comment: str) -> tuple[int, str]:
    errors: dict[str, str] = {}
    score = 0
    text = score_text.strip()
    if not text:
        errors["score"] = "required"
    elif not text.isdigit() or int(text) not in SCORES:
        errors["score"] = "invalid"
    else:
        score = int(text)
    clean = comment.strip()
    if len(clean) > MAX_COMMENT:
        errors["comment"] = "too_long"
    elif has_control_characters(clean, multiline=True):
        errors["comment"] = "control_characters"
    if errors:
        raise InvalidAnswer(errors)
    return score, clean


def answer(
    session: Session, secret: str, token: str, score_text: str, comment: str, language: str
) -> SatisfactionResponse:
    """Store the answer of the link's case; AlreadyAnswered when it has one (the unique
    case_id decides between two answers sent at the same moment)."""
    case = case_for_token(session, secret, token)
    if response_for_case(session, case.id) is not None:
        raise AlreadyAnswered(case.reference)
    score, clean = _validate(score_text, comment)
    response = SatisfactionResponse(
        case_id=case.id, score=score, comment=clean, language=language, created_at=utcnow()
    )
    session.add(response)
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise AlreadyAnswered(case.reference) from exc
    return response


@dataclass(frozen=True)
class SurveySummary:
    """The period's answers in the report's scope: how many, their average, per score."""

    responses: int
    average: float | None
    distribution: dict[int, int]
    comments: int


def survey_summary(
    session: Session,
    actor: Actor,
    date_from: date,
    date_to: date,
    authority: str | None = None,
    *,
    filters: ReportFilters | None = None,
) -> SurveySummary:
    """Answers given in the period for the cases the actor may report on (one GROUP BY)."""
    readable = report_team_ids(actor)
    span = checked_period(date_from, date_to)
    if authority is not None and session.get(Authority, authority) is None:
        raise FieldErrors({"authority": "invalid"})
    validate(session, filters, readable)
    R = SatisfactionResponse
    where = [in_span(R.created_at, span), case_condition(filters)]
    if authority is not None:
        where.append(Case.team_id.in_(select(Team.id).where(Team.authority_slug == authority)))
    if readable is not None:
        where.append(Case.team_id.in_(readable))
    stmt = (
        select(R.score, func.count(), func.count(func.nullif(R.comment, "")))
        .join(Case, Case.id == R.case_id)
        .where(*where)
        .group_by(R.score)
    )
    distribution = dict.fromkeys(SCORES, 0)
    comments = 0
    for score, count, with_comment in session.execute(stmt):
        distribution[int(score)] = int(count)
        comments += int(with_comment)
    total = sum(distribution.values())
    average = round(sum(s * n for s, n in distribution.items()) / total, 2) if total else None
    return SurveySummary(total, average, distribution, comments)
