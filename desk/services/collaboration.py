"""Employers with workplaces under both authorities: one case, one lead, a collaborating team.

The lead authority is that of the workplace the request concerns (routing decides it); an
adviser of the case's team can add the other authority's employer-services team, whose
members may then read the case and write internal notes.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from desk.domain.case_status import ACTIVE
from desk.models import Case, CaseCollaborator, CaseFollower, Team, User, utcnow
from desk.services.access import can_view, can_work
from desk.services.case_events import record
from desk.services.errors import Conflict, Forbidden, NotFound


def collaborator_candidates(session: Session, case: Case) -> list[Team]:
    """The other authorities' employer-services (non-regional) teams not yet collaborating."""
    taken = {c.team_id for c in case.collaborators} | {case.team_id}
    stmt = select(Team).where(Team.regional.is_(False), Team.authority_slug != case.authority_slug)
    return [team for team in session.scalars(stmt.order_by(Team.slug)) if team.id not in taken]


def _case_to_work(session: Session, user: User, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None or not can_view(user, case):
        raise NotFound(str(case_id))
    if not can_work(user, case):
        raise Forbidden("only members of the case's team may add collaborators")
    return case


def add_collaborator(session: Session, user: User, case_id: int, team_slug: str) -> Case:
    """Let the other authority's employer-services team read the case and write notes."""
    case = _case_to_work(session, user, case_id)
    team = next((t for t in collaborator_candidates(session, case) if t.slug == team_slug), None)
    if team is None:
        raise Conflict("not_a_collaborator_team", team_slug)
    case.collaborators.append(CaseCollaborator(team=team, added_by_id=user.id, created_at=utcnow()))
    record(session, case, "collaborator_added", user, "staff", team=team.slug)
    session.commit()
    return case


def remove_collaborator(session: Session, user: User, case_id: int, team_slug: str) -> Case:
    """The collaborating team no longer sees the case."""
    case = _case_to_work(session, user, case_id)
    collaborator = next((c for c in case.collaborators if c.team.slug == team_slug), None)
    if collaborator is None:
        raise NotFound(team_slug)
    case.collaborators.remove(collaborator)
    record(session, case, "collaborator_removed", user, "staff", team=team_slug)
    session.commit()
    return case


def watched_cases(session: Session, user: User) -> Sequence[Case]:
    """Active cases outside the user's teams that they follow or their team collaborates on."""
    team_ids = [team.id for team in user.teams]
    follows = select(CaseFollower.case_id).where(CaseFollower.user_id == user.id)
    helps = select(CaseCollaborator.case_id).where(CaseCollaborator.team_id.in_(team_ids))
    stmt = select(Case).where(
        Case.status.in_([s.value for s in ACTIVE]),
        Case.team_id.not_in(team_ids),
        or_(Case.id.in_(follows), Case.id.in_(helps)),
    )
    return list(session.scalars(stmt.order_by(Case.created_at, Case.id)))
