"""The SLA report: received, resolved, targets met and breached, and times, per team.

Definitions: desk.domain.reports.MEASURES. Everything is counted in the database, grouped by
team over cases joined to their targets; authorities and the total add up the teams' counts,
and their medians and 90th percentiles are computed over their own rows (a median of medians
is not a median). PostgreSQL uses percentile_cont(...) WITHIN GROUP over GROUPING SETS (one
pass for the three levels); SQLite has neither, so the same interpolation is written with
ROW_NUMBER and COUNT windows, one query per level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Float, Integer, and_, case, cast, func, literal, or_, select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from desk.domain.errors import FieldErrors
from desk.domain.reports import PERCENTILES, Period, compliance, round1
from desk.domain.sla import Target
from desk.models import Authority, Case, CaseSlaTarget, Team, utcnow
from desk.services.access import Actor, report_team_ids
from desk.services.reports.filters import ReportFilters, case_condition, checked_period, validate

T = CaseSlaTarget
TARGETS = (Target.FIRST_RESPONSE.value, Target.RESOLUTION.value)


@dataclass(frozen=True)
class TargetFigures:
    """Met and breached targets of one kind."""

    met: int = 0
    breached: int = 0

    @property
    def compliance(self) -> float | None:
        """Met share of met + breached, percent to one decimal; None when nothing counted."""
        return compliance(self.met, self.breached)

    def __add__(self, other: TargetFigures) -> TargetFigures:
        return TargetFigures(self.met + other.met, self.breached + other.breached)

    def as_json(self) -> dict[str, Any]:
        """{"met", "breached", "compliance"}."""
        return {"met": self.met, "breached": self.breached, "compliance": self.compliance}


@dataclass(frozen=True)
class Minutes:
    """Median and 90th percentile of business minutes, to one decimal (None: no cases)."""

    median: float | None = None
    p90: float | None = None

    def as_json(self) -> dict[str, Any]:
        """{"median", "p90"}."""
        return {"median": self.median, "p90": self.p90}


@dataclass(frozen=True)
class Figures:
    """The measures of one team, one authority or the total."""

    received: int = 0
    resolved: int = 0
    first_response: TargetFigures = TargetFigures()
    resolution: TargetFigures = TargetFigures()
    first_response_minutes: Minutes = Minutes()
    resolution_minutes: Minutes = Minutes()

    def as_json(self) -> dict[str, Any]:
        """The contract's object of measures."""
        return {
            "received": self.received,
            "resolved": self.resolved,
            "first_response": self.first_response.as_json(),
            "resolution": self.resolution.as_json(),
            "first_response_minutes": self.first_response_minutes.as_json(),
            "resolution_minutes": self.resolution_minutes.as_json(),
        }


@dataclass(frozen=True)
class SlaReport:
    """The report of a period: the total, each authority and each team (slug order)."""

    period: Period
    total: Figures
    authorities: dict[str, Figures]
    teams: dict[str, Figures]

    def as_json(self) -> dict[str, Any]:
        """Exactly the contract of `desk report sla --json` and GET /api/v1/reports/sla."""
        return {
            "period": {
                "from": self.period.date_from.isoformat(),
                "to": self.period.date_to.isoformat(),
            },
            "total": self.total.as_json(),
            "authorities": {slug: f.as_json() for slug, f in self.authorities.items()},
            "teams": {slug: f.as_json() for slug, f in self.teams.items()},
        }


# --- the conditions, once --------------------------------------------------------------------


def in_span(column: Any, span: Period) -> ColumnElement[bool]:
    """The instant column falls in the period (from 00:00 of `from` to 00:00 after `to`)."""
    return and_(column >= span.start, column < span.end)


def met_on_time() -> ColumnElement[bool]:
    """A target counted as met: completed on time (the report and its case rows agree)."""
    # Completed by the due instant; or completed while the clock stood short of its target
    # (resolved straight from waiting): its stored due_at is the one computed when the clock
    # last started and never arrived, so elapsed < target is what tells.
    return and_(
        T.met_at.is_not(None),
        or_(T.due_at.is_(None), T.met_at <= T.due_at, T.elapsed_minutes < T.target_minutes),
    )


def breached_by(span: Period, now: datetime) -> ColumnElement[bool]:
    """A target counted as breached in the period: due in it, and not completed by then."""
    late = and_(T.met_at.is_not(None), T.met_at > T.due_at, T.elapsed_minutes >= T.target_minutes)
    # Unmet: running (no paused_at), or paused only after the due instant had passed.
    unmet = and_(T.met_at.is_(None), or_(T.paused_at.is_(None), T.paused_at >= T.due_at))
    # Strictly before now: an answer at the very due instant would still be on time.
    return and_(in_span(T.due_at, span), T.due_at < now, or_(late, unmet))


def _count(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# --- the queries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scope:
    span: Period
    team_ids: list[int]
    now: datetime
    filters: ReportFilters | None = None

    @property
    def cases(self) -> ColumnElement[bool]:
        """The cases in scope: of the report's teams and matching the filters."""
        return and_(Case.team_id.in_(self.team_ids), case_condition(self.filters))


def _received(session: Session, scope: _Scope) -> dict[int, int]:
    stmt = (
        select(Case.team_id, func.count())
        .where(in_span(Case.created_at, scope.span), scope.cases)
        .group_by(Case.team_id)
    )
    return {team_id: count for team_id, count in session.execute(stmt)}


def _target_counts(session: Session, scope: _Scope) -> dict[tuple[int, str], tuple[int, int, int]]:
    """(team id, target) -> (met, breached, completed in the period)."""
    span = scope.span
    completed = in_span(T.met_at, span)
    stmt = (
        select(
            Case.team_id,
            T.target,
            _count(and_(completed, met_on_time())),
            _count(breached_by(span, scope.now)),
            _count(completed),
        )
        .join(Case, Case.id == T.case_id)
        # Only rows completed or due in the period can count (an index on each column).
        .where(or_(completed, in_span(T.due_at, span)), scope.cases)
        .group_by(Case.team_id, T.target)
    )
    return {
        (team_id, target): (int(met), int(breached), int(done))
        for team_id, target, met, breached, done in session.execute(stmt)
    }


# Which percentile groups: by team, by host authority, and the total (no key).
_LEVELS = ("team", "authority", "total")


def _minutes(median: Any, p90: Any) -> Minutes:
    return Minutes(
        round1(float(median) if median is not None else None),
        round1(float(p90) if p90 is not None else None),
    )


def _percentiles(session: Session, scope: _Scope) -> dict[str, dict[tuple[Any, str], Minutes]]:
    """Level -> (team id | authority slug | None, target) -> median and p90 of the elapsed
    minutes of targets met in the period."""
    where = (in_span(T.met_at, scope.span), scope.cases)
    joined = select().select_from(T).join(Case, Case.id == T.case_id)
    joined = joined.join(Team, Team.id == Case.team_id)
    found: dict[str, dict[tuple[Any, str], Minutes]] = {level: {} for level in _LEVELS}
    if session.get_bind().dialect.name == "postgresql":
        # One pass for all three levels; GROUPING() tells them apart (1: team, 2: authority,
        # 3: total, from the bits of the two absent-or-present keys).
        stmt = (
            joined.add_columns(
                func.grouping(Case.team_id, Team.authority_slug),
                Case.team_id,
                Team.authority_slug,
                T.target,
                *(func.percentile_cont(p).within_group(T.elapsed_minutes) for p in PERCENTILES),
            )
            .where(*where)
            .group_by(
                func.grouping_sets(
                    tuple_(Case.team_id, T.target),
                    tuple_(Team.authority_slug, T.target),
                    tuple_(T.target),
                )
            )
        )
        for grouping, team_id, slug, target, median, p90 in session.execute(stmt):
            level = _LEVELS[int(grouping) - 1]
            key = {"team": team_id, "authority": slug, "total": None}[level]
            found[level][(key, target)] = _minutes(median, p90)
        return found
    # SQLite has no GROUPING SETS either: one window query per level.
    for level, key in (("team", Case.team_id), ("authority", Team.authority_slug), ("total", None)):
        keys = [key] if key is not None else []
        for row in session.execute(_window_percentiles(joined, keys, where)):
            group = row[0] if key is not None else None
            found[level][(group, row[-3])] = _minutes(row[-2], row[-1])
    return found


def _window_percentiles(joined: Any, keys: list[Any], where: Sequence[Any]) -> Any:
    """percentile_cont for SQLite: number the sorted values of each group, then interpolate
    between the values at floor(p * (n - 1)) and the next one."""
    partition = [*keys, T.target]
    ranked = (
        joined.add_columns(
            *(k.label(f"k{i}") for i, k in enumerate(keys)),
            T.target.label("target"),
            T.elapsed_minutes.label("m"),
            (func.row_number().over(partition_by=partition, order_by=T.elapsed_minutes) - 1).label(
                "i"
            ),
            func.count().over(partition_by=partition).label("n"),
        )
        .where(*where)
        .subquery()
    )
    group = [ranked.c[f"k{i}"] for i in range(len(keys))]
    values = []
    for p in PERCENTILES:
        position = cast(literal(p, Float) * (ranked.c.n - 1), Float)
        low = cast(position, Integer)  # truncation is floor: positions are never negative
        fraction = position - low
        values.append(
            func.sum(
                case(
                    (ranked.c.i == low, ranked.c.m * (1 - fraction)),
                    (ranked.c.i == low + 1, ranked.c.m * fraction),
                    else_=0.0,
                )
            )
        )
    return select(*group, ranked.c.target, *values).group_by(*group, ranked.c.target)


# --- the report --------------------------------------------------------------------------------


def _figures(
    received: int,
    counts: dict[str, tuple[int, int, int]],
    minutes: dict[str, Minutes],
) -> Figures:
    first = counts.get(Target.FIRST_RESPONSE.value, (0, 0, 0))
    resolution = counts.get(Target.RESOLUTION.value, (0, 0, 0))
    return Figures(
        received=received,
        resolved=resolution[2],
        first_response=TargetFigures(first[0], first[1]),
        resolution=TargetFigures(resolution[0], resolution[1]),
        first_response_minutes=minutes.get(Target.FIRST_RESPONSE.value, Minutes()),
        resolution_minutes=minutes.get(Target.RESOLUTION.value, Minutes()),
    )


def _summed(parts: list[dict[str, tuple[int, int, int]]]) -> dict[str, tuple[int, int, int]]:
    total: dict[str, tuple[int, int, int]] = {}
    for part in parts:
        for target, values in part.items():
            old = total.get(target, (0, 0, 0))
            total[target] = (old[0] + values[0], old[1] + values[1], old[2] + values[2])
    return total


def _by_target(found: dict[tuple[Any, str], Minutes], group: Any) -> dict[str, Minutes]:
    return {target: m for (key, target), m in found.items() if key == group}


def sla_report(
    session: Session,
    actor: Actor,
    date_from: date,
    date_to: date,
    authority: str | None = None,
    now: datetime | None = None,
    *,
    filters: ReportFilters | None = None,
) -> SlaReport:
    """The SLA report of a period (Helsinki dates, inclusive), optionally of one authority.

    Forbidden unless the actor may read reports (an adviser: their own teams only, see
    access.report_team_ids); FieldErrors for a bad period (from, to:
    out_of_range, before_from), an unknown authority (authority: invalid) or filter value
    (its field: invalid). With a team filter only that team is listed.
    """
    readable = report_team_ids(actor)  # Forbidden unless the actor may read some teams
    span = checked_period(date_from, date_to)
    slugs = list(session.scalars(select(Authority.slug).order_by(Authority.slug)))
    if authority is not None:
        if authority not in slugs:
            raise FieldErrors({"authority": "invalid"})
        slugs = [authority]
    validate(session, filters, readable)
    team_query = select(Team).where(Team.authority_slug.in_(slugs)).order_by(Team.slug)
    if readable is not None:
        team_query = team_query.where(Team.id.in_(readable))
    if filters is not None and filters.team is not None:
        team_query = team_query.where(Team.slug == filters.team)
    teams = list(session.scalars(team_query))
    scope = _Scope(span, [team.id for team in teams], now or utcnow(), filters)
    received = _received(session, scope)
    counts = _target_counts(session, scope)
    per_team = {
        team.id: {
            target: counts[(team.id, target)] for target in TARGETS if (team.id, target) in counts
        }
        for team in teams
    }
    minutes = _percentiles(session, scope)
    team_minutes, authority_minutes = minutes["team"], minutes["authority"]
    total_minutes = minutes["total"]

    team_figures = {
        team.slug: _figures(
            received.get(team.id, 0), per_team[team.id], _by_target(team_minutes, team.id)
        )
        for team in teams
    }
    authorities = {}
    for slug in slugs:
        own = [team for team in teams if team.authority_slug == slug]
        authorities[slug] = _figures(
            sum(received.get(team.id, 0) for team in own),
            _summed([per_team[team.id] for team in own]),
            _by_target(authority_minutes, slug),
        )
    total = _figures(
        sum(received.values()),
        _summed(list(per_team.values())),
        _by_target(total_minutes, None),
    )
    return SlaReport(span, total, authorities, team_figures)
