"""Transactional outbox: write side effects with the change, hand them on after commit.

Rows move pending -> dispatched -> sending -> delivered. A failed attempt puts the row
back to pending with an exponential, jittered next_attempt_at; after the configured number
of attempts it is dead-lettered. Retries are scheduled here, in the database, rather than
as Celery countdowns, so nothing waits inside the broker past its visibility timeout (Redis
redelivers an unacknowledged message after it, which would double a long countdown), a
retry survives a broker restart, and administrators see when the next attempt is due.
A row may also end suppressed (a preference or an opt-out said no) or discarded (an
administrator gave up on a dead letter); a dead or discarded row can be retried by hand.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from desk.db import for_update
from desk.domain.notification_catalogue import channel_of
from desk.models import OutboxMessage, utcnow
from desk.observability import current_request_id

BASE_BACKOFF_SECONDS = 5.0
MAX_BACKOFF_SECONDS = 3600.0
FINISHED = ("delivered", "dead", "suppressed", "discarded")


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff: attempt n waits between base * 2**(n-1) / 2 and that, capped."""

    base_seconds: float = BASE_BACKOFF_SECONDS
    max_seconds: float = MAX_BACKOFF_SECONDS

    @classmethod
    def from_config(cls, config: Any) -> Backoff:
        """OUTBOX_BACKOFF_BASE_SECONDS and OUTBOX_BACKOFF_MAX_SECONDS of the configuration."""
        return cls(
            base_seconds=float(config.get("OUTBOX_BACKOFF_BASE_SECONDS", BASE_BACKOFF_SECONDS)),
            max_seconds=float(config.get("OUTBOX_BACKOFF_MAX_SECONDS", MAX_BACKOFF_SECONDS)),
        )


@dataclass(frozen=True)
class RelaySettings:
    batch_size: int = 100
    redispatch_after: timedelta = timedelta(minutes=5)


def enqueue(
    session: Session, kind: str, payload: dict[str, Any], dedupe_key: str | None = None
) -> OutboxMessage:
    """Add a side effect to the caller's transaction (the caller's service commits)."""
    case_id = payload.get("case_id")
    row = OutboxMessage(
        kind=kind,
        payload=payload,
        status="pending",
        next_attempt_at=utcnow(),
        case_id=case_id if isinstance(case_id, int) else None,
        channel=channel_of(kind),
        recipient="",
        lease_owner="",
        dedupe_key=dedupe_key,
        note="",
        request_id=current_request_id(),
    )
    session.add(row)
    return row


def enqueue_many(session: Session, items: Iterable[tuple[str, dict[str, Any]]]) -> int:
    """enqueue for many side effects at once, in set-based INSERTs (the SLA sweep); returns
    how many were queued. The rows are not loaded as objects: nobody reads them back."""
    now = utcnow()
    request_id = current_request_id()
    rows = []
    for kind, payload in items:
        case_id = payload.get("case_id")
        rows.append(
            {
                "kind": kind,
                "payload": payload,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "case_id": case_id if isinstance(case_id, int) else None,
                "channel": channel_of(kind),
                "recipient": "",
                "lease_owner": "",
                "dedupe_key": None,
                "note": "",
                "request_id": request_id,
            }
        )
    if rows:
        session.execute(insert(OutboxMessage), rows)
    return len(rows)


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
    # A second relay skips the rows this one holds instead of waiting for them.
    rows = list(session.scalars(for_update(stmt, session, skip_locked=True)))
    for row in rows:
        row.status = "dispatched"
        row.dispatched_at = now
    ids = [row.id for row in rows]
    session.commit()
    return ids


def request_ids(session: Session, ids: list[int]) -> dict[int, str]:
    """The request id each of these rows was caused by (rows without one are left out)."""
    if not ids:
        return {}
    stmt = select(OutboxMessage.id, OutboxMessage.request_id).where(
        OutboxMessage.id.in_(ids), OutboxMessage.request_id.is_not(None)
    )
    return {int(row_id): str(rid) for row_id, rid in session.execute(stmt)}


def release(session: Session, ids: list[int]) -> int:
    """Put claimed rows that could not be handed to the broker back to pending at once.

    Without this a relay that loses the broker between claiming and sending would leave the
    rows "dispatched" until OUTBOX_REDISPATCH_AFTER_SECONDS passes.
    """
    if not ids:
        return 0
    rows = list(
        session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.id.in_(ids), OutboxMessage.status == "dispatched"
            )
        )
    )
    for row in rows:
        row.status = "pending"
        row.dispatched_at = None
    session.commit()
    return len(rows)


def start_delivery(
    session: Session, outbox_id: int, lease: timedelta, owner: str = ""
) -> OutboxMessage | None:
    """Take the row for one delivery attempt, or None if it is finished or being sent.

    The row is marked "sending" and committed before the slow part (SMTP) starts, so no lock
    is held while sending; a twin task that runs at the same time sees "sending" and skips.
    A worker that dies mid-send leaves a lease that expires, and the relay hands it on again.
    The owner is the Celery task id: when the broker redelivers that same task (the worker
    process running it was lost: acks_late + reject_on_worker_lost), it takes the lease over
    at once instead of waiting for it to expire.
    """
    now = utcnow()
    stmt = select(OutboxMessage).where(OutboxMessage.id == outbox_id)
    # A twin task that finds the row locked by this one skips it (None) instead of waiting.
    row: OutboxMessage | None = session.scalar(for_update(stmt, session, skip_locked=True))
    busy = (
        row is not None
        and row.status == "sending"
        and row.dispatched_at is not None
        and row.dispatched_at > now - lease
        and not (owner and row.lease_owner == owner)
    )
    if row is None or row.status in FINISHED or busy:
        session.rollback()
        return None
    row.status = "sending"
    row.dispatched_at = now
    row.lease_owner = owner
    session.commit()
    return row


def mark_delivered(session: Session, row: OutboxMessage) -> None:
    """Record a successful delivery."""
    row.status = "delivered"
    row.delivered_at = utcnow()
    row.attempts += 1
    row.last_error = ""
    row.lease_owner = ""
    session.commit()


def mark_suppressed(session: Session, row: OutboxMessage, reason: str) -> None:
    """End the row without sending: the recipient's choice or opt-out says no."""
    row.status = "suppressed"
    row.note = reason[:2000]
    row.delivered_at = utcnow()
    session.commit()


def backoff_seconds(
    attempt: int, rng: random.Random | None = None, backoff: Backoff | None = None
) -> float:
    """Exponential backoff with jitter: between half and all of base * 2**(attempt-1), capped.

    The jitter spreads the retries of many rows that failed together (an SMTP outage) so
    they do not all come back at the same second.
    """
    policy = backoff or Backoff()
    ceiling = min(policy.max_seconds, policy.base_seconds * 2 ** max(0, attempt - 1))
    return (rng or random).uniform(ceiling / 2, ceiling)


def mark_failed(
    session: Session,
    row: OutboxMessage,
    error: str,
    max_attempts: int,
    backoff: Backoff | None = None,
    permanent: bool = False,
) -> bool:
    """Record a failed attempt; returns True if the row will be retried, False if now dead.

    A permanent failure (the address does not exist, the webhook URL is gone) is dead at once.
    """
    row.attempts += 1
    row.last_error = error[:2000]
    row.lease_owner = ""
    if permanent or row.attempts >= max_attempts:
        row.status = "dead"
    else:
        row.status = "pending"
        delay = backoff_seconds(row.attempts, backoff=backoff)
        row.next_attempt_at = utcnow() + timedelta(seconds=delay)
    session.commit()
    return row.status == "pending"


def retry(session: Session, outbox_id: int, by: str) -> OutboxMessage | None:
    """An administrator sends a dead or discarded row again, with a fresh attempt budget."""
    row = session.get(OutboxMessage, outbox_id)
    if row is None or row.status not in ("dead", "discarded"):
        session.rollback()
        return None
    row.status = "pending"
    row.attempts = 0
    row.next_attempt_at = utcnow()
    row.dispatched_at = None
    row.lease_owner = ""
    row.note = _append(row.note, f"retried by {by} at {utcnow():%Y-%m-%d %H:%M} UTC")
    session.commit()
    return row


def discard(session: Session, outbox_id: int, by: str) -> OutboxMessage | None:
    """An administrator gives up on a dead letter; it stays listed, marked discarded."""
    row = session.get(OutboxMessage, outbox_id)
    if row is None or row.status != "dead":
        session.rollback()
        return None
    row.status = "discarded"
    row.note = _append(row.note, f"discarded by {by} at {utcnow():%Y-%m-%d %H:%M} UTC")
    session.commit()
    return row


def _append(note: str, line: str) -> str:
    return (f"{note}\n{line}" if note else line)[-2000:]
