"""Links between related cases: made by reference, shown on both cases' pages.

Whoever may view both cases may link or unlink them (access.can_link). A page shows the
other case's reference only to a reader who may view it; otherwise it says a linked case
exists that they cannot open.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desk.models import Case, CaseLink, utcnow
from desk.services.access import Actor, can_link, can_view, require_staff
from desk.services.case_events import EventKind, emit
from desk.services.errors import Conflict, Forbidden, NotFound

# A case page shows at most this many links (a case with more is a data problem, not a view).
MAX_LINKS = 50


def _pair(one: int, other: int) -> tuple[int, int]:
    return (one, other) if one < other else (other, one)


def _visible(session: Session, actor: Actor, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None or not can_view(actor, case):
        raise NotFound(str(case_id))
    return case


def link(session: Session, actor: Actor, case_id: int, other_reference: str) -> CaseLink:
    """Link the case to the case with the reference (both visible to the actor).

    ValueError("required") for an empty reference; NotFound for a case the actor may not
    view; Conflict "self" or "exists".
    """
    require_staff(actor)
    reference = other_reference.strip().upper()
    if not reference:
        raise ValueError("required")
    case = _visible(session, actor, case_id)
    other = session.scalar(select(Case).where(Case.reference == reference))
    if other is None or not can_view(actor, other):
        raise NotFound(reference)
    if other.id == case.id:
        raise Conflict("self", "a case cannot be linked to itself")
    if not can_link(actor, case, other):
        raise Forbidden("link")
    low, high = _pair(case.id, other.id)
    exists = session.scalar(
        select(CaseLink.id).where(CaseLink.case_low_id == low, CaseLink.case_high_id == high)
    )
    if exists is not None:
        raise Conflict("exists", "the cases are linked already")
    now = utcnow()
    row = CaseLink(case_low_id=low, case_high_id=high, created_by_id=actor.user_id, created_at=now)
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # linked by someone else at the same moment
        session.rollback()
        raise Conflict("exists", "the cases are linked already") from exc
    emit(session, case, EventKind.LINKED, actor, now, other=other.reference)
    emit(session, other, EventKind.LINKED, actor, now, other=case.reference)
    session.commit()
    return row


def unlink(session: Session, actor: Actor, case_id: int, link_id: int) -> None:
    """Remove a link of the case (the actor must be able to view both cases)."""
    case = _visible(session, actor, case_id)
    row = session.get(CaseLink, link_id)
    if row is None or case.id not in (row.case_low_id, row.case_high_id):
        raise NotFound(str(link_id))
    other = session.get(Case, row.case_high_id if row.case_low_id == case.id else row.case_low_id)
    if other is None or not can_link(actor, case, other):
        raise Forbidden("unlink")
    session.delete(row)
    now = utcnow()
    emit(session, case, EventKind.UNLINKED, actor, now, other=other.reference)
    emit(session, other, EventKind.UNLINKED, actor, now, other=case.reference)
    session.commit()


@dataclass(frozen=True)
class LinkView:
    """One link as a case page shows it to one reader."""

    id: int
    reference: str | None  # None when the reader may not view the other case
    status: str | None
    may_unlink: bool


def links_of(session: Session, actor: Actor, case: Case) -> list[LinkView]:
    """The case's links, both directions, newest first; the other cases loaded in one query."""
    rows = list(
        session.scalars(
            select(CaseLink)
            .where(or_(CaseLink.case_low_id == case.id, CaseLink.case_high_id == case.id))
            .order_by(CaseLink.id.desc())
            .limit(MAX_LINKS)
        )
    )
    other_ids = [r.case_high_id if r.case_low_id == case.id else r.case_low_id for r in rows]
    others = (
        {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(other_ids)))}
        if other_ids
        else {}
    )
    views = []
    for row, other_id in zip(rows, other_ids, strict=True):
        other = others.get(other_id)
        visible = other is not None and can_view(actor, other)
        views.append(
            LinkView(
                id=row.id,
                reference=other.reference if visible and other is not None else None,
                status=other.status if visible and other is not None else None,
                may_unlink=visible and can_view(actor, case),
            )
        )
    return views
