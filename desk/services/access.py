"""Who may see and work on a case: one implementation for the web UI and the API."""

from __future__ import annotations

from desk.models import Case, User


def can_view(user: User, case: Case) -> bool:
    """Admins see all; managers their authority's cases and their teams'; advisers their teams'."""
    if user.role == "admin":
        return True
    if user.role == "manager" and case.authority_slug == user.authority_slug:
        return True
    return any(team.id == case.team_id for team in user.teams)


def can_work(user: User, case: Case) -> bool:
    """Claiming, replying and status changes: members of the case's team (and admins)."""
    return user.role == "admin" or any(team.id == case.team_id for team in user.teams)
