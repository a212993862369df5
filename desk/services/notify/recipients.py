"""Who among the staff hears of a case event."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.models import Case, CaseCollaborator, CaseFollower, Team, User
from desk.services.access import Role


def team_member_ids(session: Session, team_id: int) -> list[int]:
    """Active members of a team."""
    stmt = select(User.id).where(User.active.is_(True), User.teams.any(Team.id == team_id))
    return list(session.scalars(stmt.order_by(User.id)))


def handler_ids(session: Session, case: Case) -> list[int]:
    """Whoever handles the case: its assignee, or every member of its team while unassigned."""
    if case.assignee_id is not None:
        return [case.assignee_id]
    return team_member_ids(session, case.team_id)


def follower_ids(session: Session, case: Case) -> list[int]:
    """Extra people who hear of every event of the case: key-account followers and the
    members of collaborating teams (the routing engine's case_followers / case_collaborators).
    """
    followers = select(CaseFollower.user_id).where(CaseFollower.case_id == case.id)
    teams = select(CaseCollaborator.team_id).where(CaseCollaborator.case_id == case.id)
    stmt = select(User.id).where(
        User.active.is_(True),
        User.id.in_(followers) | User.teams.any(Team.id.in_(teams)),
    )
    return list(session.scalars(stmt.order_by(User.id)))


def authority_manager_ids(session: Session, authority: str) -> list[int]:
    """Active managers of an authority."""
    stmt = select(User.id).where(
        User.active.is_(True), User.role == Role.MANAGER, User.authority_slug == authority
    )
    return list(session.scalars(stmt.order_by(User.id)))


def for_audience(
    session: Session, case: Case, audience: str, actor_id: int | None, assignee_id: int | None
) -> list[int]:
    """The staff recipients of an event, followers included, the person who acted excluded."""
    chosen: Iterable[int]
    if audience == "handlers":
        chosen = handler_ids(session, case)
    elif audience == "team":
        chosen = team_member_ids(session, case.team_id)
    elif audience == "assignee":
        chosen = [assignee_id] if assignee_id is not None else []
    else:
        chosen = []
    everyone = [*chosen, *follower_ids(session, case)] if audience != "assignee" else chosen
    return [user_id for user_id in dict.fromkeys(everyone) if user_id != actor_id]
