"""Who may see and work on a case: one implementation for the web UI and the API."""

from __future__ import annotations

from desk.models import Case, Team, User


def _team_ids(user: User) -> set[int]:
    return {team.id for team in user.teams}


def can_view(user: User, case: Case) -> bool:
    """Admins see all; managers their authority's cases and their teams'; advisers their teams'.

    Followers (a key-account adviser whose employer's case another team handles) and members
    of a collaborating team (another authority's employer services) may read the case too.
    """
    if user.role == "admin":
        return True
    if user.role == "manager" and case.authority_slug == user.authority_slug:
        return True
    teams = _team_ids(user)
    if case.team_id in teams:
        return True
    if any(follower.user_id == user.id for follower in case.followers):
        return True
    return any(collaborator.team_id in teams for collaborator in case.collaborators)


def can_work(user: User, case: Case) -> bool:
    """Claiming, replying and status changes: members of the case's team (and admins)."""
    return user.role == "admin" or case.team_id in _team_ids(user)


def can_note(user: User, case: Case) -> bool:
    """Internal notes: whoever may work on the case, and members of a collaborating team."""
    if can_work(user, case):
        return True
    teams = _team_ids(user)
    return any(collaborator.team_id in teams for collaborator in case.collaborators)


def can_list_team(user: User, team: Team) -> bool:
    """A team's case list: its members, managers of its authority, and admins.

    Every case the list shows is one the user may view (can_view): members see their team's
    cases, managers their authority's.
    """
    if user.role == "admin" or team.id in _team_ids(user):
        return True
    return user.role == "manager" and team.authority_slug == user.authority_slug
