"""Merging a duplicate into another case: its messages move, both keep an event, the
duplicate closes (its SLA clocks stop) and its employer is told by one email.

The duplicate's reference keeps resolving: staff pages redirect to the target, the API
reports `merged_into`, and the employer's private link says the request was combined
(naming the other case only when it has the same contact email: never another employer's).
"""

from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from desk.db import for_update
from desk.domain.case_status import CaseStatus
from desk.domain.case_work import ResolutionCategory
from desk.models import Attachment, Case, CaseMessage, utcnow
from desk.services.access import Actor, can_merge, can_view, can_work
from desk.services.case_events import EventKind, emit
from desk.services.errors import Conflict, Forbidden, NotFound


def _same_contact(one: Case, other: Case) -> bool:
    return one.email.strip().lower() == other.email.strip().lower()


def merge(session: Session, actor: Actor, duplicate_id: int, target_reference: str) -> Case:
    """Merge the duplicate into the case with the reference; returns the target.

    NotFound when either case is not one the actor may view; Forbidden unless they may
    work on both; Conflict (code) for a merge into itself ("self"), into a merged
    ("target_merged") or closed ("target_closed") case, or of a merged or closed duplicate.
    """
    reference = target_reference.strip().upper()
    if not reference:
        raise ValueError("required")
    # Both rows locked, in id order (two opposite merges at once cannot deadlock), before
    # anything is read; ids only, as PostgreSQL locks no outer-joined side of a query.
    locked = for_update(
        select(Case.id)
        .where(or_(Case.id == duplicate_id, Case.reference == reference))
        .order_by(Case.id),
        session,
    )
    session.scalars(locked).all()
    duplicate = session.get(Case, duplicate_id, populate_existing=True)
    if duplicate is None or not can_view(actor, duplicate):
        raise NotFound(str(duplicate_id))
    if not can_work(actor, duplicate):
        raise Forbidden("only members of the case's team may merge it")
    target = session.scalar(
        select(Case).where(Case.reference == reference).execution_options(populate_existing=True)
    )
    if target is None or not can_view(actor, target):
        raise NotFound(reference)
    if target.id == duplicate.id:
        raise Conflict("self", "a case cannot be merged into itself")
    if not can_merge(actor, duplicate, target):
        raise Forbidden("only members of both cases' teams may merge them")
    if duplicate.merged_into_id is not None:
        raise Conflict("already_merged", "the case was merged already")
    if duplicate.status == CaseStatus.CLOSED:
        raise Conflict("closed", "a closed case cannot be merged")
    if target.merged_into_id is not None:
        raise Conflict("target_merged", "the target was itself merged into another case")
    if target.status == CaseStatus.CLOSED:
        raise Conflict("target_closed", "a closed case cannot take a merge")

    now = utcnow()
    same_contact = _same_contact(duplicate, target)
    # The duplicate's request itself, as the employer's first message in the target.
    request = CaseMessage(
        case=target,
        author_kind="employer",
        visibility="public" if same_contact else "internal",
        body=duplicate.description,
        created_at=duplicate.created_at,
    )
    session.add(request)
    moved = list(duplicate.messages)
    for message in moved:
        message.case = target
        # Another employer's messages would show on the target's private link: staff only.
        if not same_contact:
            message.visibility = "internal"
    # Cases merged into the duplicate before now lead to the target directly: no chains.
    session.execute(
        update(Case).where(Case.merged_into_id == duplicate.id).values(merged_into_id=target.id)
    )
    previous = duplicate.status
    duplicate.merged_into_id = target.id
    duplicate.status = CaseStatus.CLOSED.value
    duplicate.resolution_category = ResolutionCategory.DUPLICATE.value
    duplicate.resolved_at = duplicate.resolved_at or now
    duplicate.closed_at = now
    duplicate.updated_at = now
    target.updated_at = now
    session.flush()
    # The files move with their messages, the request's to the request's message: whoever
    # may see a message sees its files (another employer's only staff).
    session.execute(
        update(Attachment)
        .where(Attachment.case_id == duplicate.id, Attachment.message_id.is_(None))
        .values(message_id=request.id)
    )
    session.execute(
        update(Attachment).where(Attachment.case_id == duplicate.id).values(case_id=target.id)
    )
    session.expire(target, ["attachments"])
    session.expire(duplicate, ["attachments"])
    emit(
        session,
        duplicate,
        EventKind.MERGED_INTO,
        actor,
        now,
        target_id=target.id,
        target=target.reference,
        previous_status=previous,
        moved_messages=len(moved),
    )
    emit(
        session,
        target,
        EventKind.MERGED_FROM,
        actor,
        now,
        source_id=duplicate.id,
        source=duplicate.reference,
        moved_messages=len(moved),
        same_contact=same_contact,
    )
    session.commit()
    return target


def merged_into(session: Session, case: Case) -> Case | None:
    """The case a merged duplicate leads to (one hop: merges never chain)."""
    if case.merged_into_id is None:
        return None
    return session.get(Case, case.merged_into_id)


def staff_redirect(session: Session, actor: Actor, case: Case) -> Case | None:
    """Where a staff member opening a merged duplicate is sent: the target, if they may see it."""
    target = merged_into(session, case)
    return target if target is not None and can_view(actor, target) else None


def employer_target(session: Session, case: Case) -> Case | None:
    """The target an employer's private link of a merged case may name: only a case with the
    same contact email (another employer's case is never revealed)."""
    target = merged_into(session, case)
    return target if target is not None and _same_contact(case, target) else None
