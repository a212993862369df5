"""A team's cases with filters, a page at a time (keyset pagination on created_at, id).

Keyset pagination stays correct while cases arrive (no page shifts, no duplicates) and
costs the same on page 100 as on page 1: each page starts after the (created_at, id) of the
previous page's last case, in the order of the queue index (team, status, created_at).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from desk.domain.business_calendar import HELSINKI
from desk.domain.case_status import CaseStatus
from desk.domain.errors import FieldErrors
from desk.domain.languages import LANGUAGES
from desk.domain.municipalities import resolve_municipality
from desk.domain.queues import CaseSlaState
from desk.models import Case, Team, utcnow
from desk.services.access import Actor, can_list_team, team_list_authority
from desk.services.errors import Forbidden, NotFound
from desk.services.reference_data import snapshot

MAX_PAGE = 100
OUTSIDE = "other"  # the municipality filter for cases outside the ten (or unknown)


class InvalidFilter(FieldErrors):
    """Some filters are invalid; errors maps the filter name to an error code."""


@dataclass(frozen=True)
class CaseFilters:
    """What to list: any of the statuses (all when empty), need, municipality, assignee,
    language, any of the SLA states, received dates."""

    statuses: tuple[str, ...] = ()
    need: str | None = None
    municipality: str | None = None  # a code or a Finnish/Swedish name, or "other"
    assignee_id: int | None = None
    unassigned: bool = False
    language: str | None = None
    sla_states: tuple[str, ...] = ()  # desk.domain.queues.CaseSlaState values
    received_from: date | None = None  # Helsinki dates, both inclusive
    received_to: date | None = None


@dataclass(frozen=True)
class Position:
    """Where a page ends: the (created_at, id) of its last case."""

    created_at: datetime
    case_id: int


@dataclass(frozen=True)
class CasePage:
    """One page of cases, oldest first, and where the next page starts (None: no more)."""

    team: Team
    cases: list[Case]
    next_position: Position | None


def filter_conditions(
    session: Session, filters: CaseFilters, now: datetime | None = None
) -> tuple[list[ColumnElement[bool]], dict[str, str]]:
    """The SQL conditions of the filters, and the errors (filter name -> code) of bad ones.

    Shared by the API's team lists and the advisers' queues (desk.services.queues).
    """
    errors: dict[str, str] = {}
    conditions: list[ColumnElement[bool]] = []
    statuses = set(filters.statuses)
    if statuses - {status.value for status in CaseStatus}:
        errors["status"] = "invalid"
    elif statuses:
        conditions.append(Case.status.in_(sorted(statuses)))
    reference = snapshot(session) if filters.need or filters.municipality else None
    if filters.need is not None and reference is not None:
        if filters.need not in reference.needs:
            errors["need"] = "unknown"
        conditions.append(Case.need_code == filters.need)
    if filters.municipality is not None and reference is not None:
        if filters.municipality.strip().lower() == OUTSIDE:
            conditions.append(Case.municipality_code.is_(None))
        else:
            code = resolve_municipality(filters.municipality, reference.municipalities.values())
            if code is None:
                errors["municipality"] = "unknown"
            conditions.append(Case.municipality_code == code)
    if filters.unassigned:
        conditions.append(Case.assignee_id.is_(None))
    elif filters.assignee_id is not None:
        conditions.append(Case.assignee_id == filters.assignee_id)
    if filters.language is not None:
        if filters.language not in LANGUAGES:
            errors["language"] = "unknown"
        conditions.append(Case.language == filters.language)
    states = set(filters.sla_states)
    if states - {state.value for state in CaseSlaState}:
        errors["sla"] = "invalid"
    elif states:
        moment = now or utcnow()
        conditions.append(or_(*(sla_state_condition(CaseSlaState(s), moment) for s in states)))
    if filters.received_from is not None:
        conditions.append(Case.created_at >= helsinki_midnight(filters.received_from))
    if filters.received_to is not None:
        if filters.received_from is not None and filters.received_to < filters.received_from:
            errors["received_to"] = "before_from"
        end = helsinki_midnight(filters.received_to + timedelta(days=1))
        conditions.append(Case.created_at < end)
    return conditions, errors


def helsinki_midnight(day: date) -> datetime:
    """The instant a day begins in Helsinki, in UTC (received-date filters)."""
    return datetime.combine(day, time(0), HELSINKI).astimezone(UTC)


def sla_state_condition(state: CaseSlaState, now: datetime) -> ColumnElement[bool]:
    """The cases in an SLA state at `now`, as SQL: the twin of desk.domain.queues.sla_state."""
    running = Case.status.in_([CaseStatus.NEW.value, CaseStatus.OPEN.value])
    if state is CaseSlaState.PAUSED:
        return Case.status == CaseStatus.WAITING.value
    if state is CaseSlaState.BREACHED:
        return and_(running, Case.sla_due_at < now)
    not_breached = or_(Case.sla_due_at.is_(None), Case.sla_due_at >= now)
    if state is CaseSlaState.AT_RISK:
        return and_(running, not_breached, Case.sla_warn_at <= now)
    return and_(running, not_breached, or_(Case.sla_warn_at.is_(None), Case.sla_warn_at > now))


def listable_teams(session: Session, actor: Actor) -> list[Team]:
    """The teams whose case lists the actor may read, by authority and slug."""
    teams = session.scalars(select(Team).order_by(Team.authority_slug, Team.slug))
    return [team for team in teams if can_list_team(actor, team)]


def team_for_listing(session: Session, actor: Actor, team_slug: str) -> Team:
    """The team, if it exists (NotFound) and the actor may list its cases (Forbidden)."""
    team = session.scalar(select(Team).where(Team.slug == team_slug))
    if team is None:
        raise NotFound(team_slug)
    if not can_list_team(actor, team):
        raise Forbidden("only the team's members, its authority's managers and admins")
    return team


def list_team_cases(
    session: Session,
    actor: Actor,
    team_slug: str,
    filters: CaseFilters = CaseFilters(),
    after: Position | None = None,
    limit: int = 25,
) -> CasePage:
    """A page of the team's cases matching the filters, oldest first."""
    team = team_for_listing(session, actor, team_slug)
    stmt = select(Case).where(Case.team_id == team.id)
    narrowed = team_list_authority(actor, team)
    if narrowed is not None:
        stmt = stmt.where(Case.authority_slug == narrowed)
    conditions, errors = filter_conditions(session, filters)
    stmt = stmt.where(*conditions)
    if not 1 <= limit <= MAX_PAGE:
        errors["limit"] = "invalid"
    if errors:
        raise InvalidFilter(errors)
    if after is not None:
        stmt = stmt.where(
            or_(
                Case.created_at > after.created_at,
                and_(Case.created_at == after.created_at, Case.id > after.case_id),
            )
        )
    rows = list(session.scalars(stmt.order_by(Case.created_at, Case.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if more else None
    return CasePage(team, rows, Position(last.created_at, last.id) if last else None)
