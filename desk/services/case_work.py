"""Working a case beside the reply: follow-up dates and their reminders, changing the need or
the municipality with the routing engine's second opinion, and whom a case may be given to.

Asking the employer, resolving and reopening live with the other status moves in
desk.services.cases; assigning in desk.services.assignment; transfers in
desk.services.transfers (the re-routing offered here is a transfer there).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from desk.db import for_update
from desk.domain.case_status import CaseStatus
from desk.domain.case_work import parse_follow_up
from desk.domain.errors import FieldErrors
from desk.domain.municipalities import resolve_municipality
from desk.models import Case, Team, User, utcnow
from desk.services.access import Actor, case_for, may_handle
from desk.services.case_events import EventKind, emit
from desk.services.errors import Conflict
from desk.services.reference_data import snapshot
from desk.services.routing import route_request

MAX_MUNICIPALITY_TEXT = 100
OTHER_MUNICIPALITY = "other"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- who may take the case ------------------------------------------------------------------


def assignee_candidates(session: Session, case: Case) -> list[User]:
    """The active members of the case's team who may handle it (access.may_handle), by name."""
    stmt = select(User).where(User.active.is_(True), User.teams.any(Team.id == case.team_id))
    members = session.scalars(stmt.order_by(User.name, User.id))
    return [user for user in members if may_handle(user, case)]


# --- follow-up date -------------------------------------------------------------------------


def set_follow_up(
    session: Session,
    actor: Actor,
    case_id: int,
    day: str,
    time_of_day: str = "",
    now: datetime | None = None,
) -> Case:
    """Set (or move) the case's follow-up date, Helsinki time, on or after today.

    The reminder is armed again: it goes out once when the new moment comes. Raises
    InvalidFollowUp for a missing, malformed or past date or time.
    """
    case = case_for(session, actor, case_id, what="set a follow-up date")
    if case.status == CaseStatus.CLOSED:
        raise Conflict("closed")
    now = now or utcnow()
    at = parse_follow_up(day, time_of_day, now)
    previous = case.follow_up_at
    case.follow_up_at, case.follow_up_reminded_at = at, None
    emit(
        session,
        case,
        EventKind.FOLLOW_UP_SET,
        actor,
        now,
        follow_up_at=_iso(at),
        previous=_iso(previous),
    )
    session.commit()
    return case


def clear_follow_up(
    session: Session, actor: Actor, case_id: int, now: datetime | None = None
) -> Case:
    """Remove the case's follow-up date (nothing changes when it has none)."""
    case = case_for(session, actor, case_id, what="clear the follow-up date")
    if case.follow_up_at is None:
        return case
    previous = case.follow_up_at
    case.follow_up_at, case.follow_up_reminded_at = None, None
    emit(
        session,
        case,
        EventKind.FOLLOW_UP_SET,
        actor,
        now or utcnow(),
        follow_up_at=None,
        previous=_iso(previous),
    )
    session.commit()
    return case


def _due_follow_ups(session: Session, now: datetime, limit: int) -> list[int]:
    # Matches the partial index ix_cases_follow_up_due (follow_up_reminded_at IS NULL).
    stmt = (
        select(Case.id)
        .where(Case.follow_up_reminded_at.is_(None), Case.follow_up_at <= now)
        .order_by(Case.follow_up_at, Case.id)
        .limit(limit)
    )
    # A second sweep skips the cases this one holds instead of waiting for them.
    return list(session.scalars(for_update(stmt, session, skip_locked=True)))


def remind_follow_ups(
    session: Session,
    now: datetime | None = None,
    batch_size: int = 200,
    max_batches: int = 50,
) -> int:
    """Remind the assignee (or the team) of every follow-up date that has come, once each.

    Work is proportional to the reminders due; each batch commits. A closed case's date is
    retired without a reminder. Returns how many reminders were recorded.
    """
    now = now or utcnow()
    system = Actor.system()
    sent = 0
    for _ in range(max_batches):
        ids = _due_follow_ups(session, now, batch_size)
        if not ids:
            break
        # Only the case rows: a reminder needs no messages, events or people loaded with them.
        due = select(Case).where(Case.id.in_(ids)).order_by(Case.id).options(lazyload("*"))
        for case in session.scalars(due):
            case.follow_up_reminded_at = now
            if case.status == CaseStatus.CLOSED:
                continue
            emit(
                session,
                case,
                EventKind.FOLLOW_UP_DUE,
                system,
                now,
                follow_up_at=_iso(case.follow_up_at),
            )
            sent += 1
        session.commit()
        if len(ids) < batch_size:
            break
    session.commit()
    return sent


# --- need and municipality -------------------------------------------------------------------


class InvalidDetails(FieldErrors):
    """The need or municipality is invalid; fields need, municipality, municipality_other."""


@dataclass(frozen=True)
class Rerouting:
    """Where the routing engine would send the case now, and why (in the case's language)."""

    team: Team
    reason: str


def change_details(
    session: Session,
    actor: Actor,
    case_id: int,
    need: str,
    municipality: str,
    municipality_other: str = "",
) -> Case:
    """Correct the case's need or workplace municipality (a code, or "other" with a name).

    The change is recorded with its from/to facts; whether the case should now go to
    another team is for rerouting_for to tell and the adviser to decide (a transfer).
    """
    case = case_for(session, actor, case_id, what="change the case's details")
    if case.status == CaseStatus.CLOSED:
        raise Conflict("closed")
    reference = snapshot(session)
    errors: dict[str, str] = {}
    need = need.strip()
    if not need:
        errors["need"] = "required"
    elif need not in reference.needs:
        errors["need"] = "unknown"
    municipality, other = municipality.strip(), municipality_other.strip()
    code: str | None = None
    if not municipality:
        errors["municipality"] = "required"
    elif municipality == OTHER_MUNICIPALITY:
        if not other:
            errors["municipality_other"] = "required"
        elif len(other) > MAX_MUNICIPALITY_TEXT:
            errors["municipality_other"] = "too_long"
        else:
            code = resolve_municipality(other, reference.municipalities.values())
    elif municipality in reference.municipalities:
        code = municipality
    else:
        errors["municipality"] = "unknown"
    if errors:
        raise InvalidDetails(errors)
    text = "" if code else other
    before = (case.need_code, case.municipality_code, case.municipality_text)
    if before == (need, code, text):
        raise Conflict("details_unchanged", "the need and municipality are unchanged")
    facts: dict[str, Any] = {}
    if need != case.need_code:
        facts.update(need_from=case.need_code, need_to=need)
    if (code, text) != (case.municipality_code, case.municipality_text):
        facts.update(
            municipality_from=case.municipality_code or case.municipality_text,
            municipality_to=code or text,
        )
    case.need_code, case.municipality_code, case.municipality_text = need, code, text
    case.updated_at = utcnow()
    session.flush()
    session.expire(case, ["need", "municipality"])
    emit(session, case, EventKind.DETAILS_CHANGED, actor, **facts)
    session.commit()
    return case


def rerouting_for(session: Session, case: Case) -> Rerouting | None:
    """The team the published rules would route the case to now, if not its own team."""
    try:
        routed = route_request(
            session,
            municipality_text=case.municipality_code or case.municipality_text,
            need=case.need_code,
            affected_employees=case.affected_employees,
            business_id=case.business_id,
            language=case.language,
        )
    except ValueError:  # an imported case with a Business ID or need today's rules reject
        return None
    if routed.decision.team == case.team.slug:
        return None
    team = session.scalar(select(Team).where(Team.slug == routed.decision.team))
    return Rerouting(team, routed.decision.reason) if team is not None else None
