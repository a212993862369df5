"""Employers with workplaces under both authorities: one case, one lead, a collaborating team.

The lead authority is that of the workplace the request concerns (routing decides it); an
adviser of the case's team can add the other authority's employer-services team, whose
members may then read the case and write internal notes.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.models import Case, CaseCollaborator, Team, utcnow
from desk.services.access import Actor, case_for
from desk.services.case_events import EventKind, emit
from desk.services.errors import Conflict, NotFound


def collaborator_candidates(session: Session, case: Case) -> list[Team]:
    """The other authorities' employer-services (non-regional) teams not yet collaborating."""
    taken = {c.team_id for c in case.collaborators} | {case.team_id}
    stmt = select(Team).where(Team.regional.is_(False), Team.authority_slug != case.authority_slug)
    return [team for team in session.scalars(stmt.order_by(Team.slug)) if team.id not in taken]


def add_collaborator(session: Session, actor: Actor, case_id: int, team_slug: str) -> Case:
    """Let the other authority's employer-services team read the case and write notes."""
    case = case_for(session, actor, case_id, what="add collaborators")
    team = next((t for t in collaborator_candidates(session, case) if t.slug == team_slug), None)
    if team is None:
        raise Conflict("not_a_collaborator_team", team_slug)
    case.collaborators.append(
        CaseCollaborator(team=team, added_by_id=actor.user_id, created_at=utcnow())
    )
    emit(session, case, EventKind.COLLABORATOR_ADDED, actor, team=team.slug)
    session.commit()
    return case


def remove_collaborator(session: Session, actor: Actor, case_id: int, team_slug: str) -> Case:
    """The collaborating team no longer sees the case."""
    case = case_for(session, actor, case_id, what="remove collaborators")
    collaborator = next((c for c in case.collaborators if c.team.slug == team_slug), None)
    if collaborator is None:
        raise NotFound(team_slug)
    case.collaborators.remove(collaborator)
    emit(session, case, EventKind.COLLABORATOR_REMOVED, actor, team=team_slug)
    session.commit()
    return case
