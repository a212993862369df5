"""Tasks are like views: read ids, call services, never hold business rules."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import Task, shared_task
from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy.orm import Session, sessionmaker

from desk.db import session_scope
from desk.domain.digest_schedule import HELSINKI
from desk.services import mailer, outbox
from desk.services.notify import delivery, digest, webhooks
from desk.services.notify.spec import EmailSpec, Undeliverable

log = logging.getLogger(__name__)

RELAY = "desk.relay_outbox"
DELIVER = "desk.deliver_outbox"
DIGEST = "desk.send_daily_digests"


def _sessions() -> sessionmaker[Session]:
    factory: sessionmaker[Session] = current_app.extensions["desk.sessions"]
    return factory


@shared_task(name=RELAY, bind=True)
def relay_outbox(self: Task) -> int:
    """Hand due outbox rows to delivery tasks (after their claim has committed)."""
    settings = outbox.RelaySettings(
        batch_size=int(current_app.config["OUTBOX_BATCH_SIZE"]),
        redispatch_after=timedelta(
            seconds=float(current_app.config["OUTBOX_REDISPATCH_AFTER_SECONDS"])
        ),
    )
    with session_scope(_sessions()) as session:
        ids = outbox.claim_due(session, settings)
    # The claim is committed: no transaction is open while we talk to the broker.
    sent = 0
    try:
        for outbox_id in ids:
            self.app.send_task(DELIVER, args=[outbox_id])
            sent += 1
    except Exception:
        # The broker went away mid-batch: the rest go back to pending for the next relay.
        with session_scope(_sessions()) as session:
            outbox.release(session, ids[sent:])
        raise
    return len(ids)


def render_email(spec: EmailSpec) -> tuple[str, str, str]:
    """(subject, text, html) of an email in the recipient's language."""
    with force_locale(spec.language):
        subject = render_template(f"emails/{spec.template}.subject.txt", **spec.context).strip()
        text = render_template(f"emails/{spec.template}.txt", **spec.context)
        html = render_template(f"emails/{spec.template}.html", **spec.context)
    return subject, text, html


@shared_task(name=DELIVER, bind=True)
def deliver_outbox(self: Task, outbox_id: int) -> str:
    """Deliver one outbox row; idempotent, failures rescheduled by the outbox with backoff."""
    config = current_app.config
    max_attempts = int(config["OUTBOX_MAX_ATTEMPTS"])
    backoff = outbox.Backoff.from_config(config)
    with session_scope(_sessions()) as session:
        lease = timedelta(seconds=float(config["OUTBOX_REDISPATCH_AFTER_SECONDS"]))
        row = outbox.start_delivery(session, outbox_id, lease, owner=self.request.id or "")
        if row is None:
            return "skipped"
        try:
            plan = delivery.plan(session, row, config)
        except Undeliverable as exc:
            outbox.mark_failed(session, row, str(exc), max_attempts=1)
            return "dead"
        if isinstance(plan, delivery.Suppressed):
            outbox.mark_suppressed(session, row, plan.reason)
            return "suppressed"
        try:
            if isinstance(plan, delivery.WebhookPlan):
                webhooks.post(plan.request, float(config["WEBHOOK_TIMEOUT_SECONDS"]))
            else:
                _send_email(plan)
        except Exception as exc:  # every failed attempt is counted, retried and shown
            permanent = (
                isinstance(exc, webhooks.WebhookFailed) and exc.permanent
            ) or mailer.is_permanent(exc)
            retried = outbox.mark_failed(
                session, row, f"{type(exc).__name__}: {exc}", max_attempts, backoff, permanent
            )
            log.warning("outbox %s delivery failed (%s); retry=%s", outbox_id, exc, retried)
            return "retry" if retried else "dead"
        outbox.mark_delivered(session, row)
    return "delivered"


def _send_email(plan: delivery.EmailPlan) -> None:
    subject, text, html = render_email(plan.spec)
    settings = mailer.SmtpSettings.from_config(current_app.config)
    message = mailer.build_message(
        settings,
        to=plan.spec.to,
        subject=subject,
        text=text,
        html=html,
        language=plan.spec.language,
        sender=plan.sender,
        message_id=plan.message_id,
        headers=plan.headers,
    )
    mailer.send(settings, message)


@shared_task(name=DIGEST)
def send_daily_digests(at: str | None = None) -> int:
    """Queue the daily digests (beat runs this at 08:00 Helsinki; only business days count).

    `at` (ISO 8601 with offset) stands for "now": an operator can send a missed morning's
    digests later; each person still gets at most one digest per day.
    """
    now = datetime.fromisoformat(at) if at else None
    if now is not None and now.tzinfo is None:
        now = now.replace(tzinfo=HELSINKI)  # a wall-clock time means Helsinki's
    with session_scope(_sessions()) as session:
        return digest.prepare_daily_digests(session, now)
