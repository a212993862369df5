"""The case-level rows behind the SLA report's figures, for exports: streamed, no contact data.

A case is behind the figures of a period when it was received in it or one of its targets
was completed or fell due in it. Each row says, per target, what the report counted: "met",
"breached" or "" (neither in this period), with the same conditions as the figures.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import case, exists, or_, select
from sqlalchemy.orm import Session

from desk.domain.business_calendar import HELSINKI
from desk.domain.errors import FieldErrors
from desk.domain.sla import Target
from desk.models import Authority, Case, CaseSlaTarget, Team, utcnow
from desk.services.access import Actor, report_case_rows_condition
from desk.services.reports.filters import ReportFilters, case_condition, checked_period, validate

# The figures' own conditions, so that a row and the count it is part of cannot disagree.
from desk.services.reports.sla_report import breached_by, in_span, met_on_time

T = CaseSlaTarget
# Rows are fetched from the cursor in batches of this many, never all at once.
BATCH: Final = 1000

COLUMNS: Final = (
    "reference",
    "team",
    "authority",
    "need",
    "received",
    "first_response",
    "first_response_minutes",
    "resolution",
    "resolution_minutes",
)


@dataclass(frozen=True)
class CaseRow:
    """One case as the report counted it (authority: the host authority of its team)."""

    reference: str
    team: str
    authority: str
    need: str
    received: datetime
    first_response: str
    first_response_minutes: float | None
    resolution: str
    resolution_minutes: float | None

    def values(self) -> tuple[Any, ...]:
        """The row's values in COLUMNS order (received in Helsinki time)."""
        return (
            self.reference,
            self.team,
            self.authority,
            self.need,
            self.received.astimezone(HELSINKI).replace(tzinfo=None),
            self.first_response,
            self.first_response_minutes,
            self.resolution,
            self.resolution_minutes,
        )


def case_rows(
    session: Session,
    actor: Actor,
    date_from: date,
    date_to: date,
    authority: str | None = None,
    now: datetime | None = None,
    *,
    filters: ReportFilters | None = None,
) -> Iterator[CaseRow]:
    """The rows the actor may read (access.report_case_rows_condition), oldest case first."""
    condition = report_case_rows_condition(actor)
    span = checked_period(date_from, date_to)
    if authority is not None and session.get(Authority, authority) is None:
        raise FieldErrors({"authority": "invalid"})
    validate(session, filters)
    now = now or utcnow()

    def state(target: Target) -> Any:
        counted = case(
            (in_span(T.met_at, span) & met_on_time(), "met"),
            (breached_by(span, now), "breached"),
            else_="",
        )
        return _of(target, counted)

    def minutes(target: Target) -> Any:
        return _of(target, case((in_span(T.met_at, span), T.elapsed_minutes), else_=None))

    touched = exists().where(
        T.case_id == Case.id, or_(in_span(T.met_at, span), in_span(T.due_at, span))
    )
    stmt = (
        select(
            Case.reference,
            Team.slug,
            Team.authority_slug,
            Case.need_code,
            Case.created_at,
            state(Target.FIRST_RESPONSE),
            minutes(Target.FIRST_RESPONSE),
            state(Target.RESOLUTION),
            minutes(Target.RESOLUTION),
        )
        .join(Team, Team.id == Case.team_id)
        .where(or_(in_span(Case.created_at, span), touched), condition, case_condition(filters))
        .order_by(Case.created_at, Case.id)
        .execution_options(yield_per=BATCH)
    )
    if authority is not None:
        stmt = stmt.where(Team.authority_slug == authority)
    for row in session.execute(stmt):
        yield CaseRow(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            row[5] or "",
            float(row[6]) if row[6] is not None else None,
            row[7] or "",
            float(row[8]) if row[8] is not None else None,
        )


def _of(target: Target, value: Any) -> Any:
    # A correlated scalar per target: (case_id, target) is unique, so it is one index lookup.
    return (
        select(value)
        .where(T.case_id == Case.id, T.target == target.value)
        .correlate(Case)
        .scalar_subquery()
    )
