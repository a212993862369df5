"""Transactional outbox: write side effects with the change, hand them on after commit.

Rows move pending -> dispatched -> sending -> delivered. A failed attempt puts the row
back to pending with an exponential, jittered next_attempt_at; after the configured number
of attempts it is dead-lettered. Retries are scheduled here, in the database, rather than
as Celery countdowns, so nothing waits inside the broker past its visibility timeout.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from desk.models import OutboxMessage, utcnow

BASE_BACKOFF_SECONDS = 5.0
MAX_BACKOFF_SECONDS = 3600.0


@dataclass(frozen=True)
class RelaySettings:
    batch_size: int = 100
    redispatch_after: timedelta = timedelta(minutes=5)


def enqueue(session: Session, kind: str, payload: dict[str, Any]) -> OutboxMessage:
    """Add a side effect to the caller's transaction (the caller's service commits)."""
    row = OutboxMessage(kind=kind, payload=payload, status="pending", next_attempt_at=utcnow())
    session.add(row)
    return row


def _lock(session: Session, stmt: Any) -> Any:
    """Row locks that skip rows another relay holds (PostgreSQL); SQLite serialises writers."""
    if session.get_bind().dialect.name == "postgresql":
        return stmt.with_for_update(skip_locked=True)
    return stmt


def claim_due(session: Session, settings: RelaySettings, now: datetime | None = None) -> list[int]:
    """Mark a batch of due rows dispatched and commit; returns their ids to hand to Celery."""
    now = now or utcnow()
    stale = now - settings.redispatch_after
    stmt = (
        select(OutboxMessage)
        .where(
            or_(
                (OutboxMessage.status == "pending") & (OutboxMessage.next_attempt_at <= now),
                OutboxMessage.status.in_(("dispatched", "sending"))
                & (OutboxMessage.dispatched_at <= stale),
            )
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(settings.batch_size)
    )
    rows = list(session.scalars(_lock(session, stmt)))
    for row in rows:
        row.status = "dispatched"
        row.dispatched_at = now
    ids = [row.id for row in rows]
    session.commit()
    return ids


def start_delivery(session: Session, outbox_id: int, lease: timedelta) -> OutboxMessage | None:
    """Take the row for one delivery attempt, or None if it is done, dead or being sent.

    The row is marked "sending" and committed before the slow part (SMTP) starts, so no lock
    is held while sending; a twin task that runs at the same time sees "sending" and skips.
    A worker that dies mid-send leaves a lease that expires, and the relay hands it on again.
    """
    now = utcnow()
    stmt = select(OutboxMessage).where(OutboxMessage.id == outbox_id)
    row: OutboxMessage | None = session.scalar(_lock(session, stmt))
    busy = (
        row is not None
        and row.status == "sending"
        and row.dispatched_at is not None
        and row.dispatched_at > now - lease
    )
    if row is None or row.status in ("delivered", "dead") or busy:
        session.rollback()
        return None
    row.status = "sending"
    row.dispatched_at = now
    session.commit()
    return row


def mark_delivered(session: Session, row: OutboxMessage) -> None:
    """Record a successful delivery."""
    row.status = "delivered"
    row.delivered_at = utcnow()
    row.attempts += 1
    row.last_error = ""
    session.commit()


def backoff_seconds(attempt: int, rng: random.Random | None = None) -> float:
    """Exponential backoff with full jitter: up to BASE * 2**(attempt-1), capped."""
    ceiling = min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2 ** max(0, attempt - 1))
    return (rng or random).uniform(ceiling / 2, ceiling)


def mark_failed(session: Session, row: OutboxMessage, error: str, max_attempts: int) -> bool:
    """Record a failed attempt; returns True if the row will be retried, False if now dead."""
    row.attempts += 1
    row.last_error = error[:2000]
    if row.attempts >= max_attempts:
        row.status = "dead"
    else:
        row.status = "pending"
        row.next_attempt_at = utcnow() + timedelta(seconds=backoff_seconds(row.attempts))
    session.commit()
    return row.status == "pending"
