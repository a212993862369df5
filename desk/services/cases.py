"""Case use cases: submit, claim, reply, note, change status, and the employer's answer."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.db import insert_for
from desk.domain.business_calendar import HELSINKI
from desk.domain.case_reference import format_reference
from desk.domain.case_status import (
    ACTIVE,
    CaseStatus,
    InvalidTransition,
    check_transition,
    status_after_employer_message,
    status_after_staff_claim,
)
from desk.domain.intake import RawSubmission, validate_submission
from desk.models import Case, CaseMessage, ReferenceCounter, Team, User, utcnow
from desk.services import outbox, sla
from desk.services.access import can_note, can_view, can_work
from desk.services.assignment import place_case
from desk.services.case_events import record as _record
from desk.services.errors import Conflict, Forbidden, NotFound
from desk.services.notify import publish
from desk.services.reference_data import snapshot
from desk.services.routing import route_request

MAX_MESSAGE = 5000


def next_case_number(session: Session, year: int) -> int:
    """Take the next number of the year atomically (upsert ... RETURNING under a row lock)."""
    stmt = (
        insert_for(session, ReferenceCounter)
        .values(year=year, last_number=1)
        .on_conflict_do_update(
            index_elements=[ReferenceCounter.year],
            set_={"last_number": ReferenceCounter.last_number + 1},
        )
        .returning(ReferenceCounter.last_number)
    )
    return int(session.execute(stmt).scalar_one())


def submit_case(session: Session, raw: RawSubmission, now: datetime | None = None) -> Case:
    """Validate, route and store an employer's request, queueing its confirmation email.

    Raises InvalidSubmission (field -> error code) and stores nothing when input is invalid.
    """
    case = add_case(session, raw, now)
    session.commit()
    return case


def add_case(session: Session, raw: RawSubmission, now: datetime | None = None) -> Case:
    """submit_case without the commit, for callers that store more in the same transaction."""
    reference_data = snapshot(session)
    clean = validate_submission(raw, reference_data.needs.keys())
    routed = route_request(
        session,
        municipality_text=clean.municipality_text,
        need=clean.need,
        affected_employees=clean.affected_employees,
        business_id=clean.business_id,
        language=clean.language,
        reference=reference_data,
    )
    code, decision = routed.municipality_code, routed.decision
    now = now or utcnow()
    year = now.astimezone(HELSINKI).year
    number = next_case_number(session, year)
    team = session.scalars(select(Team).where(Team.slug == decision.team)).one()
    case = Case(
        reference=format_reference(year, number),
        year=year,
        number=number,
        business_id=clean.business_id,
        organisation_name=clean.organisation_name,
        contact_name=clean.contact_name,
        email=clean.email,
        phone=clean.phone,
        municipality_code=code,
        municipality_text="" if code else clean.municipality_text,
        need_code=clean.need,
        affected_employees=clean.affected_employees,
        description=clean.description,
        language=clean.language,
        status=CaseStatus.NEW.value,
        team_id=team.id,
        authority_slug=decision.authority,
        routing_rule=decision.rule,
        routing_reason=decision.reason,
        employer_token=secrets.token_urlsafe(32),
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    sla.start_clocks(session, case, now)
    _record(session, case, "created", None, "employer", need=clean.need)
    _record(
        session,
        case,
        "routed",
        None,
        "system",
        team=decision.team,
        authority=decision.authority,
        rule=decision.rule,
        rule_version=routed.rule_version,
    )
    publish.case_event(session, case, "case.received")
    outbox.enqueue(session, "email.case_received", {"case_id": case.id})
    place_case(session, case)
    session.flush()
    return case


def team_queue(session: Session, user: User, sort: str = "received") -> Sequence[Case]:
    """Active cases of the user's teams, oldest first, or nearest SLA due time first ("due")."""
    stmt = select(Case).where(Case.status.in_([s.value for s in ACTIVE]))
    if user.role != "admin":
        stmt = stmt.where(Case.team_id.in_([team.id for team in user.teams]))
    if sort == "due":
        stmt = stmt.order_by(Case.sla_due_at.asc().nulls_last())
    return list(session.scalars(stmt.order_by(Case.created_at, Case.id)))


def get_case_for_staff(session: Session, user: User, reference: str) -> Case:
    """The case with this reference if the user may see it."""
    case = session.scalar(select(Case).where(Case.reference == reference.upper()))
    if case is None or not can_view(user, case):
        raise NotFound(reference)
    return case


def _for_work(
    session: Session, user: User, case_id: int, allowed: Callable[[User, Case], bool] = can_work
) -> Case:
    case = session.get(Case, case_id)
    if case is None or not can_view(user, case):
        raise NotFound(str(case_id))
    if not allowed(user, case):
        raise Forbidden("only members of the case's team may do this")
    return case


def claim(session: Session, user: User, case_id: int) -> Case:
    """Assign the case to the user; a new case opens."""
    case = _for_work(session, user, case_id)
    if case.status == CaseStatus.CLOSED:
        raise Conflict("closed")
    previous = case.assignee_id
    case.assignee_id = user.id
    _record(session, case, "claimed", user, "staff", previous_assignee=previous)
    publish.case_event(session, case, "case.assigned", user, assignee_id=user.id)
    _move(session, case, status_after_staff_claim(CaseStatus(case.status)), user)
    session.commit()
    return case


def _move(session: Session, case: Case, target: CaseStatus, actor: User | None) -> None:
    current = CaseStatus(case.status)
    if target is current:
        return
    try:
        check_transition(current, target)
    except InvalidTransition as exc:
        raise Conflict("invalid_transition", str(exc)) from exc
    case.status = target.value
    now = utcnow()
    case.updated_at = now
    if target is CaseStatus.RESOLVED:
        case.resolved_at = now
    if target is CaseStatus.CLOSED:
        case.closed_at = now
    sla.sync_with_status(session, case, now)
    _record(
        session,
        case,
        "status_changed",
        actor,
        "staff" if actor else "employer",
        **{"from": current.value, "to": target.value},
    )
    publish.case_event(session, case, f"case.{target.value}", actor, previous=current.value)


def _message_body(body: str) -> str:
    text = body.strip()
    if not text:
        raise ValueError("required")
    if len(text) > MAX_MESSAGE:
        raise ValueError("too_long")
    return text


def reply(session: Session, user: User, case_id: int, body: str) -> CaseMessage:
    """A public reply: shown to the employer and emailed to them through the outbox."""
    case = _for_work(session, user, case_id)
    if case.status == CaseStatus.CLOSED:
        raise Conflict("closed")
    message = CaseMessage(
        case=case,
        author_kind="staff",
        author_id=user.id,
        visibility="public",
        body=_message_body(body),
        created_at=utcnow(),
    )
    session.add(message)
    if case.first_response_at is None:
        case.first_response_at = message.created_at
        sla.first_response_given(session, case, message.created_at)
    if case.status == CaseStatus.NEW:
        _move(session, case, CaseStatus.OPEN, user)
    case.updated_at = message.created_at
    session.flush()
    _record(session, case, "replied", user, "staff", message_id=message.id)
    outbox.enqueue(session, "email.staff_reply", {"case_id": case.id, "message_id": message.id})
    publish.case_event(session, case, "case.replied", user, message_id=message.id)
    session.commit()
    return message


def add_note(session: Session, user: User, case_id: int, body: str) -> CaseMessage:
    """An internal note: never shown or sent to the employer (collaborating teams may write)."""
    case = _for_work(session, user, case_id, can_note)
    message = CaseMessage(
        case=case,
        author_kind="staff",
        author_id=user.id,
        visibility="internal",
        body=_message_body(body),
        created_at=utcnow(),
    )
    session.add(message)
    session.flush()
    _record(session, case, "note_added", user, "staff", message_id=message.id)
    session.commit()
    return message


def change_status(session: Session, user: User, case_id: int, target: str) -> Case:
    """Move the case along its life cycle; invalid moves raise Conflict."""
    case = _for_work(session, user, case_id)
    try:
        status = CaseStatus(target)
    except ValueError as exc:
        raise Conflict("unknown_status", f"unknown status {target!r}") from exc
    if status is CaseStatus(case.status):
        raise Conflict("unchanged", f"the case is already {status.value}")
    _move(session, case, status, user)
    session.commit()
    return case


def get_case_by_token(session: Session, token: str) -> Case:
    """The case behind an employer's private link."""
    if not token or len(token) > 64:
        raise NotFound("token")
    case = session.scalar(select(Case).where(Case.employer_token == token))
    if case is None:
        raise NotFound("token")
    return case


def employer_reply(session: Session, token: str, body: str) -> CaseMessage:
    """The employer answers: a waiting case reopens and the assignee (or the team) is told."""
    case = get_case_by_token(session, token)
    if case.status == CaseStatus.CLOSED:
        raise Conflict("closed")
    message = CaseMessage(
        case=case,
        author_kind="employer",
        visibility="public",
        body=_message_body(body),
        created_at=utcnow(),
    )
    session.add(message)
    case.updated_at = message.created_at
    _move(session, case, status_after_employer_message(CaseStatus(case.status)), None)
    session.flush()
    _record(session, case, "employer_replied", None, "employer", message_id=message.id)
    # The assignee (or the whole team) and the case's followers: bell, and email as chosen.
    publish.case_event(session, case, "case.employer_replied", message_id=message.id)
    session.commit()
    return message


def team_members_of(session: Session, team_id: int) -> list[User]:
    """Active users of a team."""
    stmt = select(User).where(User.active.is_(True), User.teams.any(Team.id == team_id))
    return list(session.scalars(stmt.order_by(User.id)))


def public_messages(case: Case) -> list[CaseMessage]:
    """What the employer may see: public messages only, never internal notes."""
    return [m for m in case.messages if m.visibility == "public"]
