"""What operations watch, read from the database: the outbox's backlog and its oldest
undelivered row, dead letters, and open cases by SLA state (for /metrics, /readyz and
`desk admin health`). Every figure is one indexed aggregate query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk.domain.queues import CaseSlaState
from desk.models import Case, OutboxMessage, utcnow
from desk.services.team_cases import sla_state_condition

# Rows still to be delivered: waiting for their (next) attempt, handed to Celery, or sending.
UNDELIVERED = ("pending", "dispatched", "sending")


@dataclass(frozen=True)
class OutboxHealth:
    """The outbox at one instant."""

    by_status: dict[str, int]
    # Age in seconds of the oldest row not yet delivered (None: nothing waiting).
    oldest_undelivered_age_seconds: float | None
    # Undelivered rows that already failed at least once (waiting out their backoff).
    retrying: int

    @property
    def backlog(self) -> int:
        return sum(self.by_status.get(status, 0) for status in UNDELIVERED)

    @property
    def dead(self) -> int:
        return self.by_status.get("dead", 0)


def outbox_health(session: Session, now: datetime | None = None) -> OutboxHealth:
    """Counts by status, the oldest undelivered row's age and the rows being retried."""
    now = now or utcnow()
    by_status = {
        str(status): int(count)
        for status, count in session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        )
    }
    undelivered = OutboxMessage.status.in_(UNDELIVERED)
    oldest = session.scalar(select(func.min(OutboxMessage.created_at)).where(undelivered))
    retrying = session.scalar(select(func.count()).where(undelivered, OutboxMessage.attempts > 0))
    if isinstance(oldest, str):  # SQLite's min() over the column returns the stored text
        oldest = datetime.fromisoformat(oldest)
    if oldest is not None and oldest.tzinfo is None:
        from datetime import UTC

        oldest = oldest.replace(tzinfo=UTC)
    age = max((now - oldest).total_seconds(), 0.0) if oldest is not None else None
    return OutboxHealth(by_status, age, int(retrying or 0))


def open_cases_by_sla_state(session: Session, now: datetime | None = None) -> dict[str, int]:
    """How many open (new, open, waiting) cases stand in each SLA state."""
    now = now or utcnow()
    return {
        state.value: int(
            session.scalar(
                select(func.count()).select_from(Case).where(sla_state_condition(state, now))
            )
            or 0
        )
        for state in CaseSlaState
    }


def outbox_is_fresh(health: OutboxHealth, max_age_seconds: float) -> str | None:
    """None when the oldest undelivered row is younger than the threshold, else why not."""
    age = health.oldest_undelivered_age_seconds
    if age is not None and age > max_age_seconds:
        return (
            f"oldest undelivered outbox row is {int(age)} s old "
            f"(threshold {int(max_age_seconds)} s); {health.backlog} undelivered"
        )
    return None
