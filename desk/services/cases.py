"""Case use cases: submit, claim, reply, note, change status, and the employer's answer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desk.db import for_update, insert_for
from desk.domain.attachments import AttachmentRefused, CheckedFile, Limits, Upload, check_uploads
from desk.domain.business_calendar import HELSINKI
from desk.domain.case_reference import format_reference
from desk.domain.case_status import (
    CaseStatus,
    InvalidTransition,
    check_transition,
    status_after_employer_message,
    status_after_staff_claim,
)
from desk.domain.case_work import ResolutionCategory
from desk.domain.errors import FieldErrors
from desk.domain.intake import (
    CleanSubmission,
    InvalidSubmission,
    RawSubmission,
    RawWorkplace,
    message_error,
    validate_submission,
)
from desk.domain.municipalities import resolve_municipality
from desk.domain.routing import RoutingDecision
from desk.models import (
    Attachment,
    Case,
    CaseMessage,
    CaseWorkplace,
    ReferenceCounter,
    Team,
    User,
    utcnow,
)
from desk.services import case_tokens, organisations
from desk.services.access import Actor, Channel, can_note, can_view, case_for
from desk.services.assignment import place_case
from desk.services.attachment_storage import Storage
from desk.services.attachments import add_attachments, discard
from desk.services.case_events import EventKind, emit
from desk.services.errors import Conflict, NotFound
from desk.services.reference_data import snapshot, team_ids
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


def submit_case(
    session: Session,
    raw: RawSubmission,
    now: datetime | None = None,
    actor: Actor | None = None,
    *,
    submission_key: str | None = None,
    workplaces: Sequence[RawWorkplace] = (),
    uploads: Sequence[Upload] = (),
    storage: Storage | None = None,
    limits: Limits | None = None,
) -> Case:
    """Validate, route and store an employer's request, queueing its confirmation email.

    Raises InvalidSubmission (field -> error code, the attachments' too) and stores nothing
    when input is invalid. With a submission key (the web form's one-time key) a second
    submission of the same form, also one racing the first, returns the first one's case and
    makes nothing new: no second case, no second email.
    """
    if submission_key is not None:
        submission_key = submission_key[:64]
        existing = _submitted(session, submission_key, raw)
        if existing is not None:
            return existing
        if _submitted(session, submission_key) is not None:
            # Someone else's key (the first case's contact differs): a case of its own, and
            # the first case's private link is never handed to another sender.
            submission_key = None
    files = _checked_submission(session, raw, workplaces, uploads, limits or Limits())
    if files and storage is None:
        raise ValueError("attachments need a storage")
    case = add_case(session, raw, now, actor, workplaces)
    case.submission_key = submission_key
    stored: list[Attachment] = []
    try:
        if files and storage is not None:
            stored = add_attachments(
                session, storage, case, files, actor or Actor.employer(Channel.WEB)
            )
        session.commit()
    except IntegrityError:
        session.rollback()
        if storage is not None:
            discard(storage, stored)
        existing = _submitted(session, submission_key, raw) if submission_key else None
        if existing is None:
            raise
        return existing
    except BaseException:
        session.rollback()
        if storage is not None:
            discard(storage, stored)
        raise
    return case


def _submitted(
    session: Session, submission_key: str, raw: RawSubmission | None = None
) -> Case | None:
    """The case a key made; with raw, only if it is the same sender's (same email)."""
    case = session.scalar(select(Case).where(Case.submission_key == submission_key))
    if case is not None and raw is not None and case.email.lower() != raw.email.strip().lower():
        return None
    return case


def _checked_submission(
    session: Session,
    raw: RawSubmission,
    workplaces: Sequence[RawWorkplace],
    uploads: Sequence[Upload],
    limits: Limits,
) -> list[CheckedFile]:
    """The checked files; InvalidSubmission naming the fields' and the files' problems."""
    try:
        return check_uploads(uploads, limits)
    except AttachmentRefused as refused:
        try:
            validate_submission(raw, snapshot(session).needs.keys(), workplaces)
        except InvalidSubmission as invalid:
            raise InvalidSubmission({**invalid.errors, **refused.errors}) from refused
        raise InvalidSubmission(refused.errors) from refused


def add_case(
    session: Session,
    raw: RawSubmission,
    now: datetime | None = None,
    actor: Actor | None = None,
    workplaces: Sequence[RawWorkplace] = (),
) -> Case:
    """submit_case without the commit, for callers that store more in the same transaction.

    The actor is the employer submitting (the public form when not said otherwise).
    """
    reference_data = snapshot(session)
    clean = validate_submission(raw, reference_data.needs.keys(), workplaces)
    return store_case(session, clean, now, actor)


def store_case(
    session: Session,
    clean: CleanSubmission,
    now: datetime | None = None,
    actor: Actor | None = None,
    decision: RoutingDecision | None = None,
) -> Case:
    """Route and store an already validated request (no commit): the case, its events, its
    SLA targets and its confirmation email. Other intake forms (accessibility feedback)
    validate by their own rules and file their cases through here, with their own decision
    when the employers' routing rules do not apply to them."""
    actor = actor or Actor.employer(Channel.WEB)
    reference_data = snapshot(session)
    if decision is None:
        routed = route_request(
            session,
            municipality_text=clean.municipality_text,
            need=clean.need,
            affected_employees=clean.affected_employees,
            business_id=clean.business_id,
            language=clean.language,
            reference=reference_data,
        )
        code, decision, rule_version = (
            routed.municipality_code,
            routed.decision,
            routed.rule_version,
        )
    else:
        code, rule_version = None, None
    now = now or utcnow()
    year = now.astimezone(HELSINKI).year
    number = next_case_number(session, year)
    raw_token, token_hash = case_tokens.new_token()
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
        team_id=team_ids(session)[decision.team],
        authority_slug=decision.authority,
        routing_rule=decision.rule,
        routing_reason=decision.reason,
        employer_token_hash=token_hash,
        created_at=now,
        updated_at=now,
    )
    case.raw_token = raw_token
    session.add(case)
    organisations.link_case(session, case)
    for workplace in clean.workplaces:
        known = resolve_municipality(
            workplace.municipality_text, reference_data.municipalities.values()
        )
        case.workplaces.append(
            CaseWorkplace(
                position=workplace.position,
                municipality_code=known,
                municipality_text="" if known else workplace.municipality_text,
                address=workplace.address,
            )
        )
    session.flush()
    emit(session, case, EventKind.CREATED, actor, now, need=clean.need)
    emit(
        session,
        case,
        EventKind.ROUTED,
        Actor.system(actor.channel),
        now,
        team=decision.team,
        authority=decision.authority,
        rule=decision.rule,
        rule_version=rule_version,
    )
    place_case(session, case, Actor.system(actor.channel))
    session.flush()
    return case


def get_case_for_staff(session: Session, actor: Actor, reference: str) -> Case:
    """The case with this reference if the actor may see it."""
    case = session.scalar(select(Case).where(Case.reference == reference.upper()))
    if case is None or not can_view(actor, case):
        raise NotFound(reference)
    return case


def claim(session: Session, actor: Actor, case_id: int) -> Case:
    """Take an unassigned case as the acting adviser; a new case opens.

    Two advisers claiming at once queue on the case's row lock (PostgreSQL; SQLite
    serialises writers at BEGIN): the second sees the first one's claim and gets
    Conflict("claimed_by_other"). Taking over a colleague's case is a reassignment
    (assignment.assign_case). Claiming a case one holds already changes nothing.
    """
    session.execute(for_update(select(Case.id).where(Case.id == case_id), session))
    case = case_for(session, actor, case_id)
    session.refresh(case)  # as committed by whoever held the lock before us
    if case.status == CaseStatus.CLOSED:
        raise Conflict("closed")
    user = actor.user
    assert user is not None  # can_work holds only for staff
    if case.assignee_id == user.id:
        return case
    if case.assignee_id is not None:
        raise Conflict("claimed_by_other", "someone else claimed the case")
    case.assignee_id, case.assignee = user.id, user
    emit(session, case, EventKind.CLAIMED, actor, previous_assignee=None, assignee_id=user.id)
    _move(session, case, status_after_staff_claim(CaseStatus(case.status)), actor)
    session.commit()
    return case


def _move(session: Session, case: Case, target: CaseStatus, actor: Actor, **facts: Any) -> None:
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
    emit(
        session,
        case,
        EventKind.STATUS_CHANGED,
        actor,
        now,
        **{"from": current.value, "to": target.value},
        **facts,
    )


def _message_body(body: str) -> str:
    """The message stripped; ValueError(code) when it cannot be stored (the domain's rules)."""
    code = message_error(body, MAX_MESSAGE)
    if code is not None:
        raise ValueError(code)
    return body.strip()


def _message_files(
    body: str, uploads: Sequence[Upload], limits: Limits | None, storage: Storage | None
) -> list[CheckedFile]:
    """A message's checked files; AttachmentRefused naming the files' problem and the body's."""
    try:
        files = check_uploads(uploads, limits or Limits())
    except AttachmentRefused as refused:
        try:
            _message_body(body)
        except ValueError as exc:
            raise AttachmentRefused({"body": str(exc), **refused.errors}) from refused
        raise
    if files and storage is None:
        raise ValueError("attachments need a storage")
    return files


def _add_message(
    session: Session, case: Case, actor: Actor, visibility: str, body: str
) -> CaseMessage:
    """A message on the case by the actor (staff, or the employer): public or internal."""
    message = CaseMessage(
        case=case,
        author_kind=actor.kind.value,
        author_id=actor.user_id,
        visibility=visibility,
        body=_message_body(body),
        created_at=utcnow(),
    )
    session.add(message)
    return message


def reply(
    session: Session,
    actor: Actor,
    case_id: int,
    body: str,
    *,
    uploads: Sequence[Upload] = (),
    storage: Storage | None = None,
    limits: Limits | None = None,
) -> CaseMessage:
    """A public reply, with attachments if any: shown to the employer and emailed to them
    through the outbox. AttachmentRefused (nothing stored) when a file is refused."""
    case = case_for(session, actor, case_id)
    if case.status == CaseStatus.CLOSED:
        raise Conflict("closed")
    files = _message_files(body, uploads, limits, storage)
    message = _add_message(session, case, actor, "public", body)
    first = case.first_response_at is None
    if first:
        case.first_response_at = message.created_at
    if case.status == CaseStatus.NEW:
        _move(session, case, CaseStatus.OPEN, actor)
    case.updated_at = message.created_at
    session.flush()
    facts: dict[str, object] = {"message_id": message.id}
    if first:
        facts["first_response"] = True
    stored: list[Attachment] = []
    try:
        if files and storage is not None:
            stored = add_attachments(session, storage, case, files, actor, message)
            facts["attachments"] = len(stored)
        emit(session, case, EventKind.REPLIED, actor, message.created_at, **facts)
        session.commit()
    except BaseException:
        session.rollback()
        if storage is not None:
            discard(storage, stored)
        raise
    return message


def add_note(session: Session, actor: Actor, case_id: int, body: str) -> CaseMessage:
    """An internal note: never shown or sent to the employer (collaborating teams may write)."""
    case = case_for(session, actor, case_id, can_note)
    message = _add_message(session, case, actor, "internal", body)
    session.flush()
    emit(session, case, EventKind.NOTE_ADDED, actor, message.created_at, message_id=message.id)
    session.commit()
    return message


def change_status(session: Session, actor: Actor, case_id: int, target: str) -> Case:
    """Move the case along its life cycle; invalid moves raise Conflict."""
    case = case_for(session, actor, case_id)
    try:
        status = CaseStatus(target)
    except ValueError as exc:
        raise Conflict("unknown_status", f"unknown status {target!r}") from exc
    if status is CaseStatus(case.status):
        raise Conflict("unchanged", f"the case is already {status.value}")
    _move(session, case, status, actor)
    session.commit()
    return case


class InvalidResolution(FieldErrors):
    """The resolution category is missing or unknown (field resolution_category)."""


def resolve(session: Session, actor: Actor, case_id: int, category: str) -> Case:
    """Resolve the case with how it was resolved (a ResolutionCategory), kept on the case
    and in the status-changed event; the resolution clock stops and the employer is told."""
    case = case_for(session, actor, case_id, what="resolve it")
    try:
        chosen = ResolutionCategory(category.strip())
    except ValueError as exc:
        code = "required" if not category.strip() else "invalid"
        raise InvalidResolution({"resolution_category": code}) from exc
    if case.status == CaseStatus.RESOLVED:
        raise Conflict("unchanged", "the case is already resolved")
    case.resolution_category = chosen.value
    _move(session, case, CaseStatus.RESOLVED, actor, resolution_category=chosen.value)
    session.commit()
    return case


def reopen(session: Session, actor: Actor, case_id: int) -> Case:
    """Reopen a resolved case: it is open again and its resolution clock runs on."""
    case = case_for(session, actor, case_id, what="reopen it")
    if case.status != CaseStatus.RESOLVED:
        raise Conflict("not_resolved", "only a resolved case can be reopened")
    _move(session, case, CaseStatus.OPEN, actor, reopened=True)
    case.resolution_category = None  # it is no longer resolved; the event keeps the old one
    session.commit()
    return case


def ask_employer(session: Session, actor: Actor, case_id: int, body: str) -> CaseMessage:
    """Ask the employer for information as one action: one public message, the case waits
    (its resolution clock pauses), one event and exactly one email carrying the question.

    Asking again while the case waits sends the new question; a resolved case cannot be
    asked (reopen it first).
    """
    case = case_for(session, actor, case_id, what="ask the employer")
    current = CaseStatus(case.status)
    if current is CaseStatus.CLOSED:
        raise Conflict("closed")
    if current is not CaseStatus.WAITING:
        try:
            check_transition(current, CaseStatus.WAITING)
        except InvalidTransition as exc:
            raise Conflict("invalid_transition", str(exc)) from exc
    message = _add_message(session, case, actor, "public", body)
    first = case.first_response_at is None
    if first:
        case.first_response_at = message.created_at
    case.status = CaseStatus.WAITING.value
    case.updated_at = message.created_at
    session.flush()
    facts: dict[str, object] = {
        "message_id": message.id,
        "from": current.value,
        "to": CaseStatus.WAITING.value,
    }
    if first:
        facts["first_response"] = True
    emit(session, case, EventKind.EMPLOYER_ASKED, actor, message.created_at, **facts)
    session.commit()
    return message


def get_case_by_token(session: Session, token: str) -> Case:
    """The case behind an employer's raw private token (stored hashed)."""
    case = case_tokens.lookup(session, token)
    if case is None:
        raise NotFound("token")
    return case


def employer_reply(
    session: Session,
    case: Case,
    body: str,
    actor: Actor | None = None,
    *,
    uploads: Sequence[Upload] = (),
    storage: Storage | None = None,
    limits: Limits | None = None,
) -> CaseMessage:
    """The employer answers, with attachments if they like: a waiting case reopens and the
    assignee (or the team) is told.

    ValueError(code) for a bad body alone; AttachmentRefused naming the files' problem (and
    the body's, if any) when a file is refused. Nothing is stored then. The caller has
    established the employer's right to the case (its link, the portal's access rules).
    """
    actor = actor or Actor.employer(Channel.WEB)
    if case.status == CaseStatus.CLOSED:
        raise Conflict("closed")
    files = _message_files(body, uploads, limits, storage)
    message = _add_message(session, case, actor, "public", body)
    case.updated_at = message.created_at
    _move(session, case, status_after_employer_message(CaseStatus(case.status)), actor)
    session.flush()
    stored: list[Attachment] = []
    try:
        if files and storage is not None:
            stored = add_attachments(session, storage, case, files, actor, message)
        # The assignee (or the whole team) and the case's followers: bell, and email as chosen.
        emit(
            session,
            case,
            EventKind.EMPLOYER_REPLIED,
            actor,
            message.created_at,
            message_id=message.id,
            attachments=len(stored),
        )
        session.commit()
    except BaseException:
        session.rollback()
        if storage is not None:
            discard(storage, stored)
        raise
    return message


def cancel_by_employer(
    session: Session, case: Case, reason: str, actor: Actor | None = None
) -> Case:
    """The employer withdraws an open request, with a reason: the reason is their last public
    message, the case is closed at once as "withdrawn" (its clocks stop) and the handlers are
    told. Not a status walk through "resolved": no outcome email and no survey follow.

    ValueError(code) for a missing or too long reason; Conflict("closed") unless active.
    The caller has established the employer's right to the case.
    """
    actor = actor or Actor.employer(Channel.WEB)
    current = CaseStatus(case.status)
    if current not in (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.WAITING):
        raise Conflict("closed")
    message = _add_message(session, case, actor, "public", reason)
    now = message.created_at
    case.status = CaseStatus.CLOSED.value
    case.resolution_category = ResolutionCategory.WITHDRAWN.value
    case.resolved_at = case.resolved_at or now
    case.closed_at = now
    case.updated_at = now
    session.flush()
    emit(
        session,
        case,
        EventKind.CANCELLED_BY_EMPLOYER,
        actor,
        now,
        message_id=message.id,
        **{"from": current.value, "to": CaseStatus.CLOSED.value},
    )
    session.commit()
    return case


def public_messages(case: Case) -> list[CaseMessage]:
    """What the employer may see: public messages only, never internal notes."""
    return [m for m in case.messages if m.visibility == "public"]


def team_members_of(session: Session, team_id: int) -> list[User]:
    """Active users of a team."""
    stmt = select(User).where(User.active.is_(True), User.teams.any(Team.id == team_id))
    return list(session.scalars(stmt.order_by(User.id)))
