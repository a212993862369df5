"""Outbox bookkeeping added for notifications, the bell, choices, webhook subscriptions and
the administrators' dead-letter actions (SQLite and PostgreSQL)."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desk.models import Notification, OutboxMessage, utcnow
from desk.services import cases, mailer, outbox
from desk.services.errors import Conflict, Forbidden, NotFound
from desk.services.notify import inbox, operations, preferences, webhooks
from tests.conftest import raw_submission
from tests.support.actors import as_staff

LEASE = timedelta(minutes=5)


def test_enqueue_records_case_and_channel(session: Session) -> None:
    mail = outbox.enqueue(session, "email.case_closed", {"case_id": 7})
    hook = outbox.enqueue(session, webhooks.KIND, {"case_id": 7, "subscription_id": 1})
    other = outbox.enqueue(session, "email.daily_digest", {"user_id": 1})
    session.commit()
    assert (mail.case_id, mail.channel) == (7, "email")
    assert (hook.case_id, hook.channel) == (7, "webhook")
    assert other.case_id is None


def test_a_dedupe_key_allows_one_row(session: Session) -> None:
    outbox.enqueue(session, "email.daily_digest", {"user_id": 1}, dedupe_key="digest:1:x")
    session.commit()
    outbox.enqueue(session, "email.daily_digest", {"user_id": 1}, dedupe_key="digest:1:x")
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_rows_the_broker_never_got_go_back_to_pending(session: Session) -> None:
    rows = [outbox.enqueue(session, "email.case_received", {"case_id": i}) for i in range(3)]
    session.commit()
    ids = outbox.claim_due(session, outbox.RelaySettings())
    assert outbox.release(session, ids[1:]) == 2
    assert [r.status for r in rows] == ["dispatched", "pending", "pending"]
    # Released rows are due again at once, not after the re-dispatch delay.
    assert outbox.claim_due(session, outbox.RelaySettings()) == ids[1:]


def test_the_same_task_redelivered_takes_its_lease_over(session: Session) -> None:
    row = outbox.enqueue(session, "email.case_received", {"case_id": 1})
    session.commit()
    assert outbox.start_delivery(session, row.id, LEASE, owner="task-1") is not None
    # Another task must wait for the lease; the same task (its worker died) may go on.
    assert outbox.start_delivery(session, row.id, LEASE, owner="task-2") is None
    assert outbox.start_delivery(session, row.id, LEASE, owner="task-1") is not None
    assert outbox.start_delivery(session, row.id, LEASE, owner="") is None
    outbox.mark_delivered(session, row)
    assert row.lease_owner == ""
    assert outbox.start_delivery(session, row.id, LEASE, owner="task-1") is None


def test_permanent_failures_are_dead_at_once_and_backoff_is_configurable(
    session: Session,
) -> None:
    row = outbox.enqueue(session, "email.case_received", {"case_id": 1})
    session.commit()
    outbox.start_delivery(session, row.id, LEASE)
    before = utcnow()
    fast = outbox.Backoff(base_seconds=0.5, max_seconds=1)
    assert outbox.mark_failed(session, row, "421 try later", 5, fast) is True
    assert row.next_attempt_at <= before + timedelta(seconds=0.5 + 1)
    assert outbox.mark_failed(session, row, "550 no such user", 5, fast, permanent=True) is False
    assert row.status == "dead" and row.attempts == 2


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (smtplib.SMTPResponseException(550, b"no such user"), True),
        (smtplib.SMTPResponseException(451, b"try again"), False),
        (smtplib.SMTPRecipientsRefused({"a@b.fi": (550, b"unknown")}), True),
        (smtplib.SMTPRecipientsRefused({"a@b.fi": (450, b"busy"), "c@d.fi": (550, b"x")}), False),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), False),
        (smtplib.SMTPServerDisconnected("gone"), False),
        (ConnectionRefusedError(111, "refused"), False),
    ],
)
def test_which_smtp_errors_are_permanent(error: BaseException, permanent: bool) -> None:
    assert mailer.is_permanent(error) is permanent


def test_admins_retry_or_discard_dead_letters(session: Session, make_user: Any) -> None:
    admin = make_user("admin@example.fi", role="admin", authority="lahti", teams=())
    adviser = make_user()
    row = outbox.enqueue(session, "email.case_received", {"case_id": 1})
    session.commit()
    with pytest.raises(Conflict):
        operations.retry_dead_letter(session, as_staff(admin), row.id)  # not dead yet
    outbox.mark_failed(session, row, "SMTPServerDisconnected", max_attempts=1)
    assert [r.id for r in operations.deliveries(session, "dead")] == [row.id]
    with pytest.raises(Forbidden):
        operations.retry_dead_letter(session, as_staff(adviser), row.id)
    with pytest.raises(NotFound):
        operations.discard_dead_letter(session, as_staff(admin), 999_999)

    operations.discard_dead_letter(session, as_staff(admin), row.id)
    assert row.status == "discarded" and "discarded by admin@example.fi" in row.note
    operations.retry_dead_letter(session, as_staff(admin), row.id)
    assert (row.status, row.attempts) == ("pending", 0)
    assert "retried by admin@example.fi" in row.note
    assert row.last_error == "SMTPServerDisconnected"  # kept for the record
    assert outbox.claim_due(session, outbox.RelaySettings()) == [row.id]
    counts = operations.status_counts(session)
    assert (
        counts["dispatched"] == 1
        and counts["dead"] == 0
        and set(counts) == set(operations.STATUSES)
    )


def test_the_case_log_lists_what_was_queued_about_the_case(
    session: Session, make_user: Any
) -> None:
    adviser = make_user()
    case = cases.submit_case(session, raw_submission())
    other = cases.submit_case(session, raw_submission(email="other@example.fi"))
    cases.reply(session, as_staff(adviser), case.id, "Hello!")
    sent = operations.sent_for_case(session, case.id)
    assert [row.kind for row in sent] == ["email.case_received", "email.staff_reply"]
    assert [row.kind for row in operations.sent_for_case(session, other.id)] == [
        "email.case_received"
    ]


def test_the_bell_counts_and_marks_read_only_ones_own(session: Session, make_user: Any) -> None:
    first = make_user("a@example.fi")
    second = make_user("b@example.fi")
    cases.submit_case(session, raw_submission())
    cases.submit_case(session, raw_submission())
    assert inbox.unread_count(session, first.id) == 2
    mine = inbox.latest(session, first.id)
    theirs = inbox.latest(session, second.id)
    assert inbox.mark_read(session, first, mine[0].id) is True
    assert inbox.mark_read(session, first, theirs[0].id) is False  # not theirs to mark
    assert inbox.unread_count(session, first.id) == 1
    assert inbox.unread_count(session, second.id) == 2
    assert inbox.mark_all_read(session, first) == 1
    assert inbox.unread_count(session, first.id) == 0
    assert session.scalars(select(Notification).where(Notification.read_at.is_(None))).all()


def test_choices_default_and_are_validated(session: Session, make_user: Any) -> None:
    adviser = make_user()
    defaults = dict((e.key, d.value) for e, d in preferences.choices_of(session, adviser.id))
    assert defaults["new_case"] == "in_app" and defaults["employer_replied"] == "immediate"
    assert "daily_digest" not in defaults  # the digest itself is not a choice
    with pytest.raises(preferences.InvalidPreferences) as info:
        preferences.save_choices(
            session, adviser, {**defaults, "new_case": "pigeon", "sla_breach": ""}
        )
    assert info.value.errors == {"new_case": "invalid", "sla_breach": "required"}
    session.rollback()
    preferences.save_choices(session, adviser, {**defaults, "new_case": "digest"})
    assert preferences.choice(session, adviser.id, "new_case") == "digest"
    preferences.save_choices(session, adviser, defaults)  # saving again replaces, not adds
    assert preferences.choice(session, adviser.id, "new_case") == "in_app"


@pytest.mark.parametrize(
    ("name", "url", "events", "errors"),
    [
        ("CRM", "https://crm.example.fi/hook", [], {}),
        ("CRM", "http://127.0.0.1:8080/hook", ["case.closed"], {}),
        ("", "https://crm.example.fi", [], {"name": "required"}),
        ("x" * 201, "https://crm.example.fi", [], {"name": "too_long"}),
        ("CRM", "", [], {"url": "required"}),
        ("CRM", "ftp://crm.example.fi", [], {"url": "invalid"}),
        ("CRM", "https://", [], {"url": "invalid"}),
        ("CRM", "https://user:pw@crm.example.fi", [], {"url": "invalid"}),
        ("CRM", "https://crm.example.fi", ["case.deleted"], {"events": "invalid"}),
    ],
)
def test_subscription_fields_are_validated(
    name: str, url: str, events: list[str], errors: dict[str, str]
) -> None:
    # The allow-list of the tests: these hosts do not resolve here, 127.0.0.1 is not public.
    allow = [".example.fi", "127.0.0.1"]
    assert webhooks.validate(name, url, events, allow) == errors


def test_only_administrators_manage_webhooks(session: Session, make_user: Any) -> None:
    adviser = make_user()
    admin = make_user("admin@example.fi", role="admin", authority="lahti", teams=())
    with pytest.raises(Forbidden):
        webhooks.create_subscription(
            session, as_staff(adviser), "CRM", "https://crm.example.fi", []
        )
    created = webhooks.create_subscription(
        session,
        as_staff(admin),
        " CRM ",
        "https://crm.example.fi",
        ["case.closed", "case.received"],
    )
    assert created.name == "CRM" and created.events == ["case.received", "case.closed"]
    assert created.secret.startswith("whsec_") and len(created.secret) > 40
    old = created.secret
    assert webhooks.rotate_secret(session, as_staff(admin), created.id).secret != old
    with pytest.raises(Forbidden):
        webhooks.set_active(session, as_staff(adviser), created.id, False)
    with pytest.raises(NotFound):
        webhooks.delete_subscription(session, as_staff(admin), 999_999)
    assert [s.id for s in webhooks.list_subscriptions(session)] == [created.id]
    assert session.scalars(select(OutboxMessage)).all() == []
