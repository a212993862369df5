"""Outbox relay and delivery bookkeeping, on SQLite and PostgreSQL."""

import random
from datetime import timedelta

from sqlalchemy.orm import Session

from desk.models import OutboxMessage, utcnow
from desk.services import outbox

LEASE = timedelta(minutes=5)


def add(session: Session, n: int = 1) -> list[OutboxMessage]:
    rows = [outbox.enqueue(session, "email.case_received", {"case_id": i}) for i in range(n)]
    session.commit()
    return rows


def test_relay_claims_due_rows_once(session: Session) -> None:
    rows = add(session, 3)
    settings = outbox.RelaySettings(batch_size=2)
    first = outbox.claim_due(session, settings)
    second = outbox.claim_due(session, settings)
    third = outbox.claim_due(session, settings)
    assert first == [rows[0].id, rows[1].id]
    assert second == [rows[2].id]
    assert third == []


def test_rows_not_delivered_in_time_are_handed_over_again(session: Session) -> None:
    (row,) = add(session)
    settings = outbox.RelaySettings(redispatch_after=timedelta(minutes=5))
    assert outbox.claim_due(session, settings) == [row.id]
    assert outbox.claim_due(session, settings, now=utcnow() + timedelta(minutes=1)) == []
    assert outbox.claim_due(session, settings, now=utcnow() + timedelta(minutes=6)) == [row.id]


def test_delivery_is_idempotent(session: Session) -> None:
    (row,) = add(session)
    taken = outbox.start_delivery(session, row.id, LEASE)
    assert taken is not None and taken.status == "sending"
    # A twin task running at the same time skips the row being sent.
    assert outbox.start_delivery(session, row.id, LEASE) is None
    outbox.mark_delivered(session, taken)
    assert outbox.start_delivery(session, row.id, timedelta(0)) is None
    assert taken.attempts == 1 and taken.delivered_at is not None


def test_a_dead_worker_lease_expires(session: Session) -> None:
    (row,) = add(session)
    assert outbox.start_delivery(session, row.id, LEASE) is not None
    assert outbox.start_delivery(session, row.id, timedelta(0)) is not None


def test_failures_back_off_then_dead_letter(session: Session) -> None:
    (row,) = add(session)
    before = utcnow()
    taken = outbox.start_delivery(session, row.id, LEASE)
    assert taken is not None
    assert outbox.mark_failed(session, taken, "SMTPServerDisconnected", max_attempts=3) is True
    assert taken.status == "pending" and taken.attempts == 1
    assert taken.next_attempt_at > before
    assert outbox.claim_due(session, outbox.RelaySettings()) == []  # not due yet
    outbox.mark_failed(session, taken, "again", max_attempts=3)
    assert outbox.mark_failed(session, taken, "and again", max_attempts=3) is False
    assert taken.status == "dead" and taken.last_error == "and again"
    assert outbox.start_delivery(session, row.id, timedelta(0)) is None


def test_backoff_grows_exponentially_with_jitter() -> None:
    rng = random.Random(7)
    for attempt, ceiling in [(1, 5), (2, 10), (3, 20), (6, 160), (30, 3600)]:
        delay = outbox.backoff_seconds(attempt, rng)
        assert ceiling / 2 <= delay <= ceiling
