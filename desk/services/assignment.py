"""Who gets a case inside its team: the key-account adviser, then the team's assignment mode.

Modes, chosen per team: "queue" (left for advisers to claim), "round_robin" (the next present
adviser after the one assigned last), "least_open" (the present adviser with the fewest
active cases). Only advisers who are present (not marked absent) and, when the team requires
it, who speak the case's language are assigned automatically.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.db import for_update
from desk.domain.case_status import ACTIVE, CaseStatus
from desk.models import Case, CaseFollower, Team, TeamRoutingSettings, User, utcnow
from desk.services.access import (
    Actor,
    Role,
    case_for,
    may_handle,
    may_set_absence,
    require_admin,
)
from desk.services.case_events import EventKind, emit
from desk.services.errors import Conflict, Forbidden, NotFound
from desk.services.routing import key_account_for

MODES = ("queue", "round_robin", "least_open")


class InvalidTeamSettings(ValueError):
    """The assignment mode is not one of MODES."""


class InvalidAssignee(ValueError):
    """The chosen person cannot take the case (not an active member of its team)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.errors = {"assignee": code}


def settings_for(session: Session, team_id: int) -> TeamRoutingSettings:
    """The team's settings (an unsaved default row, "queue", when none were saved)."""
    settings = session.get(TeamRoutingSettings, team_id)
    if settings is None:
        return TeamRoutingSettings(
            team_id=team_id, assignment_mode="queue", requires_language=False
        )
    return settings


def list_team_settings(session: Session) -> list[tuple[Team, TeamRoutingSettings]]:
    """Every team with its assignment settings, ordered by slug."""
    teams = session.scalars(select(Team).order_by(Team.slug))
    return [(team, settings_for(session, team.id)) for team in teams]


def update_team_settings(
    session: Session, actor: Actor, team_slug: str, mode: str, requires_language: bool
) -> TeamRoutingSettings:
    """Choose how a team assigns its cases (administrators only)."""
    require_admin(actor, "choose assignment modes")
    if mode not in MODES:
        raise InvalidTeamSettings(mode)
    team = session.scalar(select(Team).where(Team.slug == team_slug))
    if team is None:
        raise NotFound(team_slug)
    settings = session.get(TeamRoutingSettings, team.id)
    if settings is None:
        settings = TeamRoutingSettings(team_id=team.id)
        session.add(settings)
    settings.assignment_mode = mode
    settings.requires_language = requires_language
    session.commit()
    return settings


def set_absent(session: Session, actor: Actor, user_id: int, absent: bool) -> User:
    """Mark a staff member absent or present: themself, or anyone for an administrator."""
    if not may_set_absence(actor, user_id):
        raise Forbidden("only administrators mark others absent")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(str(user_id))
    user.absent = absent
    session.commit()
    return user


def staff_for_availability(session: Session) -> list[User]:
    """Active staff who work in teams, for the administrators' availability page."""
    stmt = select(User).where(User.active.is_(True), User.teams.any())
    return list(session.scalars(stmt.order_by(User.name, User.id)))


def speaks(user: User, language: str) -> bool:
    """True when the user's languages include the case's language."""
    return language in {code.strip() for code in user.languages.split(",")}


def eligible_advisers(session: Session, team_id: int, language: str) -> list[User]:
    """Active, present advisers of the team (speaking the language if the team requires it)."""
    settings = settings_for(session, team_id)
    stmt = select(User).where(
        User.active.is_(True),
        User.absent.is_(False),
        User.role == Role.ADVISER,
        User.teams.any(Team.id == team_id),
    )
    advisers = list(session.scalars(stmt.order_by(User.id)))
    if settings.requires_language:
        advisers = [user for user in advisers if speaks(user, language)]
    return advisers


def _locked_settings(session: Session, team_id: int) -> TeamRoutingSettings | None:
    """The settings row under a row lock, so concurrent round robins take turns (PostgreSQL)."""
    stmt = select(TeamRoutingSettings).where(TeamRoutingSettings.team_id == team_id)
    return session.scalar(for_update(stmt, session))


def _round_robin(settings: TeamRoutingSettings, advisers: list[User]) -> User:
    last = settings.last_assigned_user_id or 0
    chosen = next((user for user in advisers if user.id > last), advisers[0])
    settings.last_assigned_user_id = chosen.id
    return chosen


def open_case_counts(session: Session, user_ids: list[int]) -> dict[int, int]:
    """Active cases assigned to each user."""
    stmt = (
        select(Case.assignee_id, func.count())
        .where(Case.assignee_id.in_(user_ids), Case.status.in_([s.value for s in ACTIVE]))
        .group_by(Case.assignee_id)
    )
    counts = {user_id: int(count) for user_id, count in session.execute(stmt) if user_id}
    return {user_id: counts.get(user_id, 0) for user_id in user_ids}


def _least_open(session: Session, advisers: list[User]) -> User:
    counts = open_case_counts(session, [user.id for user in advisers])
    return min(advisers, key=lambda user: (counts[user.id], user.id))


def _assign(session: Session, case: Case, user: User, mode: str, actor: Actor) -> None:
    case.assignee_id = user.id
    case.assignee = user
    emit(
        session,
        case,
        EventKind.ASSIGNED,
        actor,
        assignee_id=user.id,
        assignee=user.name,
        mode=mode,
    )


def _follow(session: Session, case: Case, user: User, actor: Actor) -> None:
    if any(follower.user_id == user.id for follower in case.followers):
        return
    case.followers.append(CaseFollower(user=user, reason="key_account", created_at=utcnow()))
    session.flush()
    emit(
        session,
        case,
        EventKind.FOLLOWER_ADDED,
        actor,
        user_id=user.id,
        user=user.name,
        reason="key_account",
    )


def place_case(session: Session, case: Case, actor: Actor) -> User | None:
    """Assign a case that has just landed in its team (on routing or transfer); no commit.

    The employer's key-account adviser is assigned when they are a present member of the
    team; when another team takes the case they follow it (notified, may read). Otherwise
    the team's mode decides. Returns the assignee, or None when it waits in the queue.
    The actor is whoever moved the case there (the system when routing a new request).
    """
    session.flush()
    account = key_account_for(session, case.business_id)
    if account is not None:
        adviser = account.adviser
        if any(team.id == case.team_id for team in adviser.teams):
            if not adviser.absent:
                _assign(session, case, adviser, "key_account", actor)
                return adviser
        else:
            _follow(session, case, adviser, actor)
    settings = _locked_settings(session, case.team_id)
    if settings is None or settings.assignment_mode == "queue":
        return None
    advisers = eligible_advisers(session, case.team_id, case.language)
    if not advisers:
        return None  # nobody present: the case waits in the team queue
    if settings.assignment_mode == "round_robin":
        chosen = _round_robin(settings, advisers)
    else:
        chosen = _least_open(session, advisers)
    _assign(session, case, chosen, settings.assignment_mode, actor)
    return chosen


def assign_case(session: Session, actor: Actor, case_id: int, assignee_id: int) -> Case:
    """Hand the case to someone who may work on it (an active member of its team).

    The actor must be allowed to work on the case. Assigning the current assignee again
    changes nothing.
    """
    case = case_for(session, actor, case_id, what="assign it")
    if case.status == CaseStatus.CLOSED:
        raise Conflict("closed")
    assignee = session.get(User, assignee_id)
    if assignee is None or not may_handle(assignee, case):
        raise InvalidAssignee("not_a_member")
    if case.assignee_id == assignee.id:
        return case
    previous = case.assignee_id
    case.assignee_id, case.assignee = assignee.id, assignee
    case.updated_at = utcnow()
    emit(
        session,
        case,
        EventKind.ASSIGNED,
        actor,
        assignee_id=assignee.id,
        assignee=assignee.name,
        mode="manual",
        previous_assignee=previous,
    )
    session.commit()
    return case
