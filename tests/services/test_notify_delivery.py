"""What an outbox row becomes at delivery: the gates of choices and opt-outs, the bell for
rows queued elsewhere, the sender per authority, webhooks (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import smtplib
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.domain.webhook_signature import sign
from desk.models import Notification, OutboxMessage, User, utcnow
from desk.services import cases, outbox
from desk.services.notify import delivery, preferences, webhooks
from desk.services.notify.delivery import Outcome
from desk.services.notify.spec import EmailSpec, Undeliverable, email_choices_link
from tests.conftest import raw_submission
from tests.support.actors import as_staff
from tests.support.services import free_port

CONFIG = {
    "BASE_URL": "http://desk.test",
    "SECRET_KEY": "test-secret",
    "MAIL_FROM": "Desk <desk@desk.invalid>",
    "MAIL_FROM_LAHTI": "Lahden työllisyyspalvelut <lahti@desk.invalid>",
    "MAIL_FROM_PAIJAT_HAME": "Päijät-Hämeen työvoimapalvelut <ph@desk.invalid>",
}


def row_of(session: Session, kind: str) -> OutboxMessage:
    stmt = select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
    return session.scalars(stmt).all()[-1]


def admin(make_user: Any) -> User:
    user: User = make_user("admin@example.fi", role="admin", authority="lahti", teams=())
    return user


def test_employer_email_from_the_authority_with_a_stable_id_and_choices_link(
    session: Session,
) -> None:
    case = cases.submit_case(
        session, raw_submission(municipality="398", email="lahti.employer@example.fi")
    )
    row = row_of(session, "email.case_received")
    plan = delivery.plan(session, row, CONFIG)
    assert isinstance(plan, delivery.EmailPlan)
    assert plan.sender == CONFIG["MAIL_FROM_LAHTI"]
    assert plan.spec.to == row.recipient == "lahti.employer@example.fi"
    link = email_choices_link("http://desk.test", "test-secret", case)
    assert link.startswith("http://desk.test/email-choices/")
    assert plan.spec.context["preferences_link"] == link
    assert plan.headers["List-Unsubscribe"] == f"<{link}>"
    assert plan.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert plan.headers["Auto-Submitted"] == "auto-generated"
    again = delivery.plan(session, row, CONFIG)
    assert isinstance(again, delivery.EmailPlan)
    assert again.message_id == plan.message_id
    # Built from the row and the sender's domain: the same on every attempt of the row.
    assert plan.message_id == f"<outbox-{row.id}.{int(row.created_at.timestamp())}@desk.invalid>"


def test_sender_falls_back_to_mail_from() -> None:
    assert delivery.sender_for(CONFIG, "paijat-hame") == CONFIG["MAIL_FROM_PAIJAT_HAME"]
    assert delivery.sender_for(CONFIG, "elsewhere") == CONFIG["MAIL_FROM"]
    assert delivery.sender_for(CONFIG, None) == CONFIG["MAIL_FROM"]


def test_an_opted_out_employer_still_gets_what_is_necessary(
    session: Session, make_user: Any
) -> None:
    adviser = make_user()
    case = cases.submit_case(session, raw_submission(email="Teija@Example.fi"))
    preferences.set_employer_opt_out(session, "teija@example.fi ", True)
    assert preferences.employer_opted_out(session, "TEIJA@example.fi")
    cases.reply(session, as_staff(adviser), case.id, "Which weeks suit you?")
    cases.change_status(session, as_staff(adviser), case.id, "waiting")
    cases.change_status(session, as_staff(adviser), case.id, "resolved")
    cases.change_status(session, as_staff(adviser), case.id, "closed")

    outcome = {
        kind: type(delivery.plan(session, row_of(session, kind), CONFIG)).__name__
        for kind in (
            "email.case_received",
            "email.staff_reply",
            "email.case_waiting",
            "email.case_resolved",
            "email.case_closed",
        )
    }
    assert outcome == {
        "email.case_received": "EmailPlan",
        "email.staff_reply": "EmailPlan",
        "email.case_waiting": "Suppressed",
        "email.case_resolved": "EmailPlan",
        "email.case_closed": "Suppressed",
    }
    preferences.set_employer_opt_out(session, "teija@example.fi", False)
    plan = delivery.plan(session, row_of(session, "email.case_closed"), CONFIG)
    assert isinstance(plan, delivery.EmailPlan)


def test_asking_the_employer_emails_the_question(session: Session, make_user: Any) -> None:
    adviser = make_user()
    case = cases.submit_case(session, raw_submission())
    cases.ask_employer(session, as_staff(adviser), case.id, "How many welders exactly?")
    plan = delivery.plan(session, row_of(session, "email.information_requested"), CONFIG)
    assert isinstance(plan, delivery.EmailPlan)
    assert plan.spec.template == "case_waiting"
    assert plan.spec.context["question"] == "How many welders exactly?"
    assert plan.spec.context["link"] == f"http://desk.test/case/{case.employer_token}"


def test_a_plain_waiting_notice_does_not_repeat_the_reply(session: Session, make_user: Any) -> None:
    adviser = make_user()
    case = cases.submit_case(session, raw_submission())
    cases.reply(session, as_staff(adviser), case.id, "How many welders exactly?")
    cases.change_status(session, as_staff(adviser), case.id, "waiting")
    plan = delivery.plan(session, row_of(session, "email.case_waiting"), CONFIG)
    assert isinstance(plan, delivery.EmailPlan)
    assert "question" not in plan.spec.context  # the reply's own email carried the text


# Until the SLA engine is merged email_for looks for a message the SLA kinds do not have.
@pytest.mark.filterwarnings("ignore:fully NULL primary key")
@pytest.mark.parametrize(
    ("choice", "expected", "digest_state"),
    [
        ("immediate", "EmailPlan", ""),
        ("digest", "Suppressed", "pending"),
        ("in_app", "Suppressed", ""),
    ],
)
def test_a_row_queued_elsewhere_rings_the_bell_and_respects_the_choice(
    session: Session, make_user: Any, choice: str, expected: str, digest_state: str
) -> None:
    adviser = make_user()
    defaults = {e.key: d.value for e, d in preferences.choices_of(session, adviser.id)}
    preferences.save_choices(session, adviser, {**defaults, "sla_warning": choice})
    case = cases.submit_case(session, raw_submission())
    # As the SLA sweep does: straight into the outbox, with a user id.
    row = outbox.enqueue(
        session,
        "email.sla_warning",
        {"case_id": case.id, "target": "first_response", "user_id": adviser.id},
    )
    session.commit()
    if expected == "EmailPlan":
        plan = delivery.plan(session, row, CONFIG)
        assert type(plan).__name__ == expected
        assert plan.spec.template == "sla_warning"
    else:
        plan = delivery.plan(session, row, CONFIG)
        assert type(plan).__name__ == expected
        assert isinstance(plan, delivery.Suppressed) and "chose" in plan.reason
        delivery.plan(session, row, CONFIG)  # twice: still one bell notification
    (bell,) = session.scalars(select(Notification).where(Notification.outbox_id == row.id))
    assert (bell.user_id, bell.event_type, bell.case_id) == (adviser.id, "sla_warning", case.id)
    assert bell.data == {"target": "first_response"}
    assert bell.digest_state == digest_state
    assert row.recipient == f"{adviser.name} <{adviser.email}>"


def test_staff_email_to_an_inactive_account_is_not_sent(session: Session, make_user: Any) -> None:
    adviser = make_user()
    case = cases.submit_case(session, raw_submission())
    cases.employer_reply(session, case, "Hello?")
    adviser.active = False
    session.commit()
    plan = delivery.plan(session, row_of(session, "email.employer_reply"), CONFIG)
    assert isinstance(plan, delivery.Suppressed) and "not active" in plan.reason


def test_a_row_about_a_case_that_is_gone_is_undeliverable(session: Session) -> None:
    row = outbox.enqueue(session, "email.case_closed", {"case_id": 999_999})
    session.commit()
    with pytest.raises(Undeliverable):
        delivery.plan(session, row, CONFIG)


def test_webhook_rows_follow_their_subscription(session: Session, make_user: Any) -> None:
    boss = admin(make_user)
    subscription = webhooks.create_subscription(
        session,
        as_staff(boss),
        "CRM",
        "https://crm.example.fi/desk",
        ["case.received", "case.closed"],
    )
    webhooks.create_subscription(
        session, as_staff(boss), "Chat", "https://chat.example.fi/", ["case.replied"]
    )
    case = cases.submit_case(session, raw_submission())
    (row,) = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == webhooks.KIND))
    assert (row.channel, row.case_id) == ("webhook", case.id)

    plan = delivery.plan(session, row, CONFIG)
    assert isinstance(plan, delivery.WebhookPlan)
    body = json.loads(plan.request.body)
    assert body["type"] == "case.received" and body["case"]["reference"] == case.reference
    assert set(body["case"]) >= {"reference", "status", "team", "authority", "business_id"}
    assert not {"email", "contact_name", "phone", "description"} & set(body["case"])
    assert plan.request.url == "https://crm.example.fi/desk"
    assert row.recipient == "CRM (https://crm.example.fi/desk)"
    # The body is fixed when the event happens: every attempt sends the same bytes.
    assert delivery.plan(session, row, CONFIG).request.body == plan.request.body  # type: ignore[union-attr]
    assert sign(subscription.secret, 1, plan.request.body).startswith("sha256=")

    webhooks.set_active(session, as_staff(boss), subscription.id, False)
    assert isinstance(delivery.plan(session, row, CONFIG), delivery.Suppressed)
    webhooks.delete_subscription(session, as_staff(boss), subscription.id)
    paused = delivery.plan(session, row, CONFIG)
    assert isinstance(paused, delivery.Suppressed) and "removed" in paused.reason


@pytest.mark.parametrize(
    ("choice", "expected"), [("immediate", "EmailPlan"), ("in_app", "Suppressed")]
)
def test_a_followed_case_honours_the_choice_and_rings_the_bell(
    session: Session, make_user: Any, choice: str, expected: str
) -> None:
    # email.case_followed has a catalogue entry, so the choice and the bell apply to it.
    adviser = make_user()
    defaults = {e.key: d.value for e, d in preferences.choices_of(session, adviser.id)}
    preferences.save_choices(session, adviser, {**defaults, "case_followed": choice})
    case = cases.submit_case(session, raw_submission())
    # As the key-account routing does (assignment._follow).
    row = outbox.enqueue(
        session, "email.case_followed", {"case_id": case.id, "user_id": adviser.id}
    )
    session.commit()
    plan = delivery.plan(session, row, CONFIG)
    assert type(plan).__name__ == expected
    if isinstance(plan, delivery.EmailPlan):
        assert (plan.spec.template, plan.spec.to) == ("case_followed", adviser.email)
    (bell,) = session.scalars(select(Notification).where(Notification.outbox_id == row.id))
    assert (bell.user_id, bell.event_type, bell.case_id) == (adviser.id, "case_followed", case.id)


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (webhooks.WebhookFailed("HTTP 410 from the receiver", permanent=True), True),
        (webhooks.WebhookFailed("HTTP 503 from the receiver"), False),
        (smtplib.SMTPRecipientsRefused({"a@b.fi": (550, b"unknown")}), True),
        (smtplib.SMTPResponseException(451, b"try again"), False),
        (ConnectionRefusedError(111, "refused"), False),
        (ValueError("a template failed"), False),
    ],
)
def test_which_failures_are_permanent(error: BaseException, permanent: bool) -> None:
    assert delivery.is_permanent(error) is permanent


def _render(spec: EmailSpec) -> tuple[str, str, str]:
    return f"About {spec.template}", "text", "<p>html</p>"


def test_one_attempt_records_its_outcome_on_the_row(session: Session, make_user: Any) -> None:
    nobody_listens = free_port()
    config = {
        **CONFIG,
        "OUTBOX_REDISPATCH_AFTER_SECONDS": 300,
        "OUTBOX_MAX_ATTEMPTS": 2,
        "OUTBOX_BACKOFF_BASE_SECONDS": 60,
        "WEBHOOK_TIMEOUT_SECONDS": 1,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": nobody_listens,
    }
    case = cases.submit_case(session, raw_submission())
    row = row_of(session, "email.case_received")
    # The SMTP server is down: counted, and rescheduled with backoff until the budget is spent.
    before = utcnow()
    assert delivery.deliver(session, row.id, config, _render, owner="t1") is Outcome.RETRY
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at >= before + timedelta(seconds=30)
    assert row.last_error.startswith("ConnectionRefusedError")
    assert delivery.deliver(session, row.id, config, _render, owner="t2") is Outcome.DEAD
    assert (row.status, row.attempts) == ("dead", 2)
    assert delivery.deliver(session, row.id, config, _render) is Outcome.SKIPPED

    # Gone: dead at once. Opted out of an optional email: suppressed.
    gone = outbox.enqueue(session, "email.case_closed", {"case_id": 999_999})
    preferences.set_employer_opt_out(session, case.email, True)
    optional = outbox.enqueue(session, "email.case_closed", {"case_id": case.id})
    session.commit()
    assert delivery.deliver(session, gone.id, config, _render) is Outcome.DEAD
    assert (gone.status, gone.attempts, gone.last_error) == ("dead", 1, "case 999999 is gone")
    assert delivery.deliver(session, optional.id, config, _render) is Outcome.SUPPRESSED
    assert optional.status == "suppressed"
