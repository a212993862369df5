"""The employer portal's reads: "my cases" (keyset pages, newest first) and one case, only
as desk.services.access.employer_can_view allows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from desk.domain.case_status import CaseStatus
from desk.models import Attachment, Case, CaseSlaTarget
from desk.services.access import (
    EmployerPrincipal,
    employer_can_view,
    employer_cases_condition,
    employer_may_download,
)
from desk.services.errors import NotFound

PAGE_SIZE = 25
STATUSES = tuple(status.value for status in CaseStatus)


@dataclass(frozen=True)
class CaseRow:
    """One line of "my cases": the case (need, team and authority are loaded with it) and
    the nearest expected date of its running targets."""

    case: Case
    next_expected_at: datetime | None


@dataclass(frozen=True)
class CasePage:
    """A page of "my cases": its rows and the cursor of the next page (None: last page)."""

    rows: list[CaseRow]
    next_before: int | None


def list_cases(
    session: Session,
    who: EmployerPrincipal,
    status: str = "",
    before: int | None = None,
    limit: int = PAGE_SIZE,
) -> CasePage:
    """The principal's cases, newest first, limit per page; keyset on the id (ids grow with
    time), so a page of an organisation with thousands of cases costs the same as the first."""
    stmt = (
        select(Case)
        .options(lazyload(Case.messages), lazyload(Case.events))
        .where(employer_cases_condition(who), Case.merged_into_id.is_(None))
        .order_by(Case.id.desc())
        .limit(limit + 1)
    )
    if status in STATUSES:
        stmt = stmt.where(Case.status == status)
    if before is not None:
        stmt = stmt.where(Case.id < before)
    found = list(session.scalars(stmt))
    more = len(found) > limit
    found = found[:limit]
    due = _next_expected(session, [case.id for case in found])
    rows = [CaseRow(case=case, next_expected_at=due.get(case.id)) for case in found]
    return CasePage(rows, found[-1].id if more and found else None)


def _next_expected(session: Session, case_ids: list[int]) -> dict[int, datetime]:
    """The nearest due time of each case's running targets (paused and met ones say nothing)."""
    if not case_ids:
        return {}
    rows = session.execute(
        select(CaseSlaTarget.case_id, CaseSlaTarget.due_at).where(
            CaseSlaTarget.case_id.in_(case_ids),
            CaseSlaTarget.met_at.is_(None),
            CaseSlaTarget.paused_at.is_(None),
            CaseSlaTarget.due_at.is_not(None),
        )
    )
    nearest: dict[int, datetime] = {}
    for case_id, due_at in rows:
        if due_at is not None and (case_id not in nearest or due_at < nearest[case_id]):
            nearest[case_id] = due_at
    return nearest


def case_for(session: Session, who: EmployerPrincipal, reference: str) -> Case:
    """The case with this reference if the principal may view it; NotFound otherwise (another
    organisation's case is not revealed to exist)."""
    case = session.scalar(select(Case).where(Case.reference == reference.upper()[:20]))
    if case is None or not employer_can_view(who, case):
        raise NotFound(reference)
    return case


def attachment_for(
    session: Session, who: EmployerPrincipal, reference: str, attachment_id: int
) -> Attachment:
    """A file of a case the principal may view (request or public message); else NotFound."""
    case = case_for(session, who, reference)
    attachment = session.scalar(
        select(Attachment).where(Attachment.id == attachment_id, Attachment.case_id == case.id)
    )
    if attachment is None or not employer_may_download(who, case, attachment):
        raise NotFound("attachment")
    return attachment
