"""The SLA report over time and as a distribution: a weekly trend and first-response buckets.

The weekly trend asks the SLA report itself once per ISO week (clipped to the period), so a
week's figures are exactly what the report says for those dates. The distribution counts
first responses per bucket of business minutes in one grouped query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from desk.domain.errors import FieldErrors
from desk.domain.sla import Target
from desk.models import Authority, Case, CaseSlaTarget, Team, utcnow
from desk.services.access import Actor, report_team_ids
from desk.services.reports.filters import ReportFilters, case_condition, checked_period, validate
from desk.services.reports.sla_report import sla_report

# A chart of more weeks is unreadable, and each week is one report (a handful of queries).
MAX_WEEKS: Final = 60

# Upper bounds (exclusive) of the buckets in business minutes; the last bucket is open.
# One hour, four hours, one business day, two, five (a business day is 480 minutes).
BUCKET_BOUNDS: Final = (60, 240, 480, 960, 2400)


@dataclass(frozen=True)
class Week:
    """One ISO week of the period (clipped to it) and its figures."""

    year: int
    week: int
    date_from: date
    date_to: date
    received: int
    resolved: int
    first_response_compliance: float | None
    resolution_compliance: float | None


@dataclass(frozen=True)
class Trend:
    """The weeks of a period, oldest first; `truncated` when only the last MAX_WEEKS are shown."""

    weeks: list[Week]
    truncated: bool


@dataclass(frozen=True)
class Bucket:
    """First responses whose business minutes are in [low, high) (high None: no upper bound)."""

    low: int
    high: int | None
    count: int


def weekly_trend(
    session: Session,
    actor: Actor,
    date_from: date,
    date_to: date,
    authority: str | None = None,
    now: datetime | None = None,
    *,
    filters: ReportFilters | None = None,
) -> Trend:
    """Received, resolved and both compliances per ISO week of the period (at most MAX_WEEKS)."""
    report_team_ids(actor)  # Forbidden early (each week's report narrows the teams)
    checked_period(date_from, date_to)
    now = now or utcnow()
    starts: list[date] = []
    monday = date_from - timedelta(days=date_from.weekday())
    while monday <= date_to:
        starts.append(monday)
        monday += timedelta(days=7)
    truncated = len(starts) > MAX_WEEKS
    weeks = []
    for start in starts[-MAX_WEEKS:]:
        first, last = max(start, date_from), min(start + timedelta(days=6), date_to)
        report = sla_report(session, actor, first, last, authority, now, filters=filters)
        iso = start.isocalendar()
        weeks.append(
            Week(
                iso.year,
                iso.week,
                first,
                last,
                report.total.received,
                report.total.resolved,
                report.total.first_response.compliance,
                report.total.resolution.compliance,
            )
        )
    return Trend(weeks, truncated)


def first_response_distribution(
    session: Session,
    actor: Actor,
    date_from: date,
    date_to: date,
    authority: str | None = None,
    *,
    filters: ReportFilters | None = None,
) -> list[Bucket]:
    """First responses given in the period, counted per bucket of business minutes (SQL).

    The same cases as the first-response median: targets met in the period, by the host
    authority of the case's team.
    """
    readable = report_team_ids(actor)
    span = checked_period(date_from, date_to)
    if authority is not None and session.get(Authority, authority) is None:
        raise FieldErrors({"authority": "invalid"})
    validate(session, filters, readable)
    T = CaseSlaTarget
    bucket = case(
        *((T.elapsed_minutes < bound, index) for index, bound in enumerate(BUCKET_BOUNDS)),
        else_=len(BUCKET_BOUNDS),
    )
    stmt = (
        select(bucket, func.count())
        .select_from(T)
        .join(Case, Case.id == T.case_id)
        .join(Team, Team.id == Case.team_id)
        .where(
            T.target == Target.FIRST_RESPONSE.value,
            and_(T.met_at >= span.start, T.met_at < span.end),
            case_condition(filters),
        )
        .group_by(bucket)
    )
    if authority is not None:
        stmt = stmt.where(Team.authority_slug == authority)
    if readable is not None:
        stmt = stmt.where(Case.team_id.in_(readable))
    counts = {int(index): int(count) for index, count in session.execute(stmt)}
    lows = (0, *BUCKET_BOUNDS)
    highs: tuple[int | None, ...] = (*BUCKET_BOUNDS, None)
    return [
        Bucket(low, high, counts.get(i, 0))
        for i, (low, high) in enumerate(zip(lows, highs, strict=True))
    ]
