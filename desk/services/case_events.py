"""The case audit trail, shared by the routing services (one event per change: who, what, when)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from desk.models import Case, CaseEvent, User, utcnow


def record(
    session: Session, case: Case, kind: str, actor: User | None, actor_kind: str, **data: Any
) -> CaseEvent:
    """Add an event to the caller's transaction."""
    event = CaseEvent(
        case=case,
        kind=kind,
        actor_id=actor.id if actor else None,
        actor_kind=actor_kind,
        data=data,
        created_at=utcnow(),
    )
    session.add(event)
    return event
