"""The staff bell: unread count, the list, marking read."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from desk.models import Notification, User, utcnow

PAGE = 100


def unread_count(session: Session, user_id: int) -> int:
    """How many of the user's notifications are unread."""
    stmt = select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    return int(session.scalar(stmt) or 0)


def latest(session: Session, user_id: int, limit: int = PAGE) -> list[Notification]:
    """The user's notifications, newest first."""
    stmt = (
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def mark_read(session: Session, user: User, notification_id: int) -> bool:
    """Mark one of the user's own notifications read; False when it is not theirs."""
    found = session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user.id
        )
    )
    if found is None:
        session.rollback()
        return False
    if found.read_at is None:
        found.read_at = utcnow()
    session.commit()
    return True


def mark_all_read(session: Session, user: User) -> int:
    """Mark every unread notification of the user read; returns how many."""
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]
