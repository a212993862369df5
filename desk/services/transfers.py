"""Transfers between teams and authorities, with a required reason.

The case keeps its created_at, so the service-level clock continues (the employer does not
start over); the employer is told in their language through the outbox; the move is audited.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.domain.case_status import CaseStatus
from desk.domain.errors import FieldErrors
from desk.domain.routing import transfer_reason
from desk.i18n import catalogue
from desk.models import Case, Team, utcnow
from desk.services.access import Actor, case_for
from desk.services.assignment import place_case
from desk.services.case_events import EventKind, emit
from desk.services.errors import Conflict
from desk.services.reference_data import snapshot

MAX_REASON = 1000


class InvalidTransfer(FieldErrors):
    """Some fields are invalid; errors maps field name (team, reason) to an error code."""


def transfer_targets(session: Session, case: Case) -> list[Team]:
    """Every team the case may be transferred to (all but its own), by authority and slug."""
    stmt = select(Team).where(Team.id != case.team_id)
    return list(session.scalars(stmt.order_by(Team.authority_slug, Team.slug)))


def transfer(
    session: Session,
    actor: Actor,
    case_id: int,
    team_slug: str,
    reason: str,
    now: datetime | None = None,
) -> Case:
    """Move the case to another team (and its authority) with a reason the employer reads."""
    case = case_for(session, actor, case_id, what="transfer it")
    if case.status == CaseStatus.CLOSED:
        raise Conflict("closed")
    errors: dict[str, str] = {}
    team = session.scalar(select(Team).where(Team.slug == team_slug.strip())) if team_slug else None
    if team is None:
        errors["team"] = "required" if not team_slug.strip() else "invalid"
    elif team.id == case.team_id:
        errors["team"] = "same"
    note = reason.strip()
    if not note:
        errors["reason"] = "required"
    elif len(note) > MAX_REASON:
        errors["reason"] = "too_long"
    if errors:
        raise InvalidTransfer(errors)
    assert team is not None

    now = now or utcnow()
    from_team, from_authority = case.team.slug, case.authority_slug
    previous_assignee = case.assignee_id
    case.team_id, case.team = team.id, team
    case.authority_slug, case.authority = team.authority_slug, team.authority
    case.assignee_id, case.assignee = None, None
    case.routing_rule = "transfer"
    case.routing_reason = transfer_reason(
        team.slug, note, snapshot(session), case.language, catalogue
    )
    case.updated_at = now  # created_at stays: the SLA clock continues from the request
    for collaborator in [c for c in case.collaborators if c.team_id == team.id]:
        case.collaborators.remove(collaborator)  # the collaborator now leads the case
    emit(
        session,
        case,
        EventKind.TRANSFERRED,
        actor,
        now,
        from_team=from_team,
        to_team=team.slug,
        from_authority=from_authority,
        to_authority=team.authority_slug,
        reason=note,
        previous_assignee=previous_assignee,
    )
    place_case(session, case, actor)
    session.commit()
    return case
