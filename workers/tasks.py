"""Tasks are like views: read ids, call services, never hold business rules."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import Task, shared_task
from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy.orm import Session, sessionmaker

from desk.db import session_scope
from desk.services import mailer, outbox
from desk.services.notifications import EmailSpec, Undeliverable, prepare_email

log = logging.getLogger(__name__)

RELAY = "desk.relay_outbox"
DELIVER = "desk.deliver_outbox"


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
    for outbox_id in ids:
        self.app.send_task(DELIVER, args=[outbox_id])
    return len(ids)


def render_email(spec: EmailSpec) -> tuple[str, str, str]:
    """(subject, text, html) of an email in the recipient's language."""
    with force_locale(spec.language):
        subject = render_template(f"emails/{spec.template}.subject.txt", **spec.context).strip()
        text = render_template(f"emails/{spec.template}.txt", **spec.context)
        html = render_template(f"emails/{spec.template}.html", **spec.context)
    return subject, text, html


@shared_task(name=DELIVER)
def deliver_outbox(outbox_id: int) -> str:
    """Deliver one outbox row; idempotent, failures rescheduled by the outbox with backoff."""
    config = current_app.config
    with session_scope(_sessions()) as session:
        lease = timedelta(seconds=float(config["OUTBOX_REDISPATCH_AFTER_SECONDS"]))
        row = outbox.start_delivery(session, outbox_id, lease)
        if row is None:
            return "skipped"
        try:
            spec = prepare_email(session, row, str(config["BASE_URL"]))
        except Undeliverable as exc:
            outbox.mark_failed(session, row, str(exc), max_attempts=1)
            return "dead"
        subject, text, html = render_email(spec)
        settings = mailer.SmtpSettings.from_config(config)
        message = mailer.build_message(
            settings, to=spec.to, subject=subject, text=text, html=html, language=spec.language
        )
        try:
            mailer.send(settings, message)
        except mailer.TRANSIENT_ERRORS as exc:
            retried = outbox.mark_failed(
                session, row, f"{type(exc).__name__}: {exc}", int(config["OUTBOX_MAX_ATTEMPTS"])
            )
            log.warning("outbox %s delivery failed (%s); retry=%s", outbox_id, exc, retried)
            return "retry" if retried else "dead"
        outbox.mark_delivered(session, row)
    return "delivered"
