"""For administrators and the case page: what was sent to whom, and the dead letters."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.models import OutboxMessage
from desk.services import outbox
from desk.services.access import Actor, require_admin
from desk.services.errors import Conflict, NotFound

STATUSES = (
    "pending",
    "dispatched",
    "sending",
    "delivered",
    "suppressed",
    "dead",
    "discarded",
)
PAGE = 200


def status_counts(session: Session) -> dict[str, int]:
    """Outbox rows per status (every status listed, zero included)."""
    stmt = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    counts = {status: int(count) for status, count in session.execute(stmt)}
    return {status: counts.get(status, 0) for status in STATUSES}


def deliveries(
    session: Session, status: str | None = None, limit: int = PAGE
) -> list[OutboxMessage]:
    """The latest outbox rows, optionally of one status, newest first."""
    stmt = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    return list(session.scalars(stmt))


def sent_for_case(session: Session, case_id: int) -> list[OutboxMessage]:
    """Everything queued about a case (emails and webhooks), oldest first."""
    stmt = select(OutboxMessage).where(OutboxMessage.case_id == case_id)
    return list(session.scalars(stmt.order_by(OutboxMessage.id)))


def retry_dead_letter(session: Session, actor: Actor, outbox_id: int) -> OutboxMessage:
    """Send a dead (or discarded) row again with a fresh attempt budget."""
    admin = require_admin(actor, "manage deliveries")
    if session.get(OutboxMessage, outbox_id) is None:
        raise NotFound(str(outbox_id))
    row = outbox.retry(session, outbox_id, by=admin.email)
    if row is None:
        raise Conflict("not_dead", "only dead or discarded notifications can be retried")
    return row


def discard_dead_letter(session: Session, actor: Actor, outbox_id: int) -> OutboxMessage:
    """Give up on a dead row; it stays listed as discarded."""
    admin = require_admin(actor, "manage deliveries")
    if session.get(OutboxMessage, outbox_id) is None:
        raise NotFound(str(outbox_id))
    row = outbox.discard(session, outbox_id, by=admin.email)
    if row is None:
        raise Conflict("not_dead", "only dead notifications can be discarded")
    return row
