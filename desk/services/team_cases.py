"""A team's cases with filters, a page at a time (keyset pagination on created_at, id).

Keyset pagination stays correct while cases arrive (no page shifts, no duplicates) and
costs the same on page 100 as on page 1: each page starts after the (created_at, id) of the
previous page's last case, in the order of the queue index (team, status, created_at).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from desk.domain.case_status import CaseStatus
from desk.domain.errors import FieldErrors
from desk.domain.municipalities import resolve_municipality
from desk.models import Case, Team
from desk.services.access import Actor, can_list_team, team_list_authority
from desk.services.errors import Forbidden, NotFound
from desk.services.reference_data import snapshot

MAX_PAGE = 100
OUTSIDE = "other"  # the municipality filter for cases outside the ten (or unknown)


class InvalidFilter(FieldErrors):
    """Some filters are invalid; errors maps the filter name to an error code."""


@dataclass(frozen=True)
class CaseFilters:
    """What to list: any of the statuses (all when empty), need, municipality, assignee."""

    statuses: tuple[str, ...] = ()
    need: str | None = None
    municipality: str | None = None  # a code or a Finnish/Swedish name, or "other"
    assignee_id: int | None = None
    unassigned: bool = False


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
    errors: dict[str, str] = {}
    stmt = select(Case).where(Case.team_id == team.id)
    narrowed = team_list_authority(actor, team)
    if narrowed is not None:
        stmt = stmt.where(Case.authority_slug == narrowed)
    statuses = set(filters.statuses)
    if statuses - {status.value for status in CaseStatus}:
        errors["status"] = "invalid"
    elif statuses:
        stmt = stmt.where(Case.status.in_(sorted(statuses)))
    reference = snapshot(session)
    if filters.need is not None:
        if filters.need not in reference.needs:
            errors["need"] = "unknown"
        stmt = stmt.where(Case.need_code == filters.need)
    if filters.municipality is not None:
        if filters.municipality.strip().lower() == OUTSIDE:
            stmt = stmt.where(Case.municipality_code.is_(None))
        else:
            code = resolve_municipality(filters.municipality, reference.municipalities.values())
            if code is None:
                errors["municipality"] = "unknown"
            stmt = stmt.where(Case.municipality_code == code)
    if filters.unassigned:
        stmt = stmt.where(Case.assignee_id.is_(None))
    elif filters.assignee_id is not None:
        stmt = stmt.where(Case.assignee_id == filters.assignee_id)
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
