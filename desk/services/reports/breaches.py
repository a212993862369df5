"""The period's breached targets, listed; and the transfers of cases between the authorities.

A breach is what the report counts as breached (sla_report.breached_by). How late is calendar
time from the due instant to the answer (met late), to the pause, or to now (still running).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.domain.errors import FieldErrors
from desk.domain.reports import Period
from desk.models import Authority, Case, CaseEvent, CaseSlaTarget, Team, utcnow
from desk.services.access import Actor, report_team_ids, require_report_reader
from desk.services.reports.filters import ReportFilters, case_condition, checked_period, validate
from desk.services.reports.sla_report import breached_by, in_span

T = CaseSlaTarget
# A longer list is not read on a dashboard; the rest is counted (and in the case rows export).
MAX_BREACHES: Final = 50


@dataclass(frozen=True)
class Breach:
    """One breached target: its case, team, need, which target, when due and how late."""

    reference: str
    team: str
    need: str
    target: str
    due_at: datetime
    late: timedelta


@dataclass(frozen=True)
class Breaches:
    """The newest MAX_BREACHES breaches (newest due first) and how many more there are."""

    rows: list[Breach]
    more: int


def _check(
    session: Session, date_from: date, date_to: date, authority: str | None
) -> tuple[Period, list[int] | None]:
    span = checked_period(date_from, date_to)
    if authority is None:
        return span, None
    if session.get(Authority, authority) is None:
        raise FieldErrors({"authority": "invalid"})
    return span, list(session.scalars(select(Team.id).where(Team.authority_slug == authority)))


def breach_list(
    session: Session,
    actor: Actor,
    date_from: date,
    date_to: date,
    authority: str | None = None,
    now: datetime | None = None,
    *,
    filters: ReportFilters | None = None,
) -> Breaches:
    """The period's breached targets of the scope, newest due first, at most MAX_BREACHES."""
    readable = report_team_ids(actor)
    span, team_ids = _check(session, date_from, date_to, authority)
    validate(session, filters, readable)
    now = now or utcnow()
    where = [breached_by(span, now), case_condition(filters)]
    if team_ids is not None:
        where.append(Case.team_id.in_(team_ids))
    if readable is not None:
        where.append(Case.team_id.in_(readable))
    joined = select().select_from(T).join(Case, Case.id == T.case_id).where(*where)
    total = int(session.scalar(joined.add_columns(func.count())) or 0)
    stmt = (
        joined.add_columns(
            Case.reference, Team.slug, Case.need_code, T.target, T.due_at, T.met_at, T.paused_at
        )
        .join(Team, Team.id == Case.team_id)
        .order_by(T.due_at.desc(), Case.id)
        .limit(MAX_BREACHES)
    )
    rows = []
    for reference, team, need, target, due_at, met_at, paused_at in session.execute(stmt):
        # Met late: until the answer; paused after the due instant: until the pause.
        until = met_at or paused_at or now
        rows.append(Breach(reference, team, need, target, due_at, until - due_at))
    return Breaches(rows, total - len(rows))


@dataclass(frozen=True)
class NeedBreaches:
    """One need's breaches in the period: how many, where most, and since when."""

    need: str
    first_response: int
    resolution: int
    top_team: str  # the team with the most of this need's breaches
    earliest_due: datetime  # the oldest due instant among them

    @property
    def total(self) -> int:
        """Breached targets of both kinds."""
        return self.first_response + self.resolution


def breaches_by_need(
    session: Session,
    actor: Actor,
    date_from: date,
    date_to: date,
    authority: str | None = None,
    now: datetime | None = None,
    *,
    filters: ReportFilters | None = None,
) -> list[NeedBreaches]:
    """The period's breaches per need, most first: counted in SQL by need, team and target
    (a few dozen groups at most), then folded per need."""
    readable = report_team_ids(actor)
    span, team_ids = _check(session, date_from, date_to, authority)
    validate(session, filters, readable)
    where = [breached_by(span, now or utcnow()), case_condition(filters)]
    if team_ids is not None:
        where.append(Case.team_id.in_(team_ids))
    if readable is not None:
        where.append(Case.team_id.in_(readable))
    stmt = (
        select(Case.need_code, Team.slug, T.target, func.count(), func.min(T.due_at))
        .select_from(T)
        .join(Case, Case.id == T.case_id)
        .join(Team, Team.id == Case.team_id)
        .where(*where)
        .group_by(Case.need_code, Team.slug, T.target)
    )
    counts: dict[str, dict[str, int]] = {}
    per_team: dict[str, dict[str, int]] = {}
    earliest: dict[str, datetime] = {}
    for need, team, target, count, first_due in session.execute(stmt):
        counts.setdefault(need, {}).setdefault(target, 0)
        counts[need][target] += int(count)
        teams = per_team.setdefault(need, {})
        teams[team] = teams.get(team, 0) + int(count)
        # A breach always has a due instant (breached_by compares it).
        if first_due is not None and (need not in earliest or first_due < earliest[need]):
            earliest[need] = first_due
    found = [
        NeedBreaches(
            need,
            counts[need].get("first_response", 0),
            counts[need].get("resolution", 0),
            max(sorted(per_team[need]), key=lambda slug: per_team[need][slug]),
            earliest[need],
        )
        for need in counts
        if need in earliest
    ]
    return sorted(found, key=lambda row: (-row.total, row.need))


@dataclass(frozen=True)
class Transfers:
    """Cases transferred into and out of one authority in the period."""

    into: int = 0
    out: int = 0


def authority_transfers(
    session: Session,
    actor: Actor,
    date_from: date,
    date_to: date,
    *,
    filters: ReportFilters | None = None,
) -> dict[str, Transfers]:
    """Per authority (slug order): transfers in and out of it in the period, counted in SQL
    (report readers only: it compares the authorities)."""
    require_report_reader(actor)
    span, _ = _check(session, date_from, date_to, None)
    validate(session, filters)
    # JSON element access compiles per dialect (->> on PostgreSQL, JSON_EXTRACT on SQLite).
    source = CaseEvent.data["from_authority"].as_string()
    target = CaseEvent.data["to_authority"].as_string()
    stmt = (
        select(source, target, func.count())
        .join(Case, Case.id == CaseEvent.case_id)
        .where(
            CaseEvent.kind == "transferred",
            in_span(CaseEvent.created_at, span),
            source != target,
            case_condition(filters),
        )
        .group_by(source, target)
    )
    counts: dict[str, list[int]] = {
        slug: [0, 0] for slug in session.scalars(select(Authority.slug).order_by(Authority.slug))
    }
    for from_slug, to_slug, count in session.execute(stmt):
        if from_slug in counts:
            counts[from_slug][1] += int(count)
        if to_slug in counts:
            counts[to_slug][0] += int(count)
    return {slug: Transfers(into, out) for slug, (into, out) in counts.items()}
