"""Tasks are like views: read ids, call services, never hold business rules."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import Task, shared_task
from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy.orm import Session, sessionmaker

from desk.db import session_scope
from desk.domain.business_calendar import HELSINKI
from desk.services import outbox
from desk.services.notify import delivery, digest
from desk.services.notify.spec import EmailSpec

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
        request_ids = outbox.request_ids(session, ids)
    # The claim is committed: no transaction is open while we talk to the broker.
    sent = 0
    try:
        for outbox_id in ids:
            # The delivery logs under the id of the request that caused the row.
            headers = {"request_id": request_ids[outbox_id]} if outbox_id in request_ids else {}
            self.app.send_task(DELIVER, args=[outbox_id], headers=headers)
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
    with session_scope(_sessions()) as session:
        outcome = delivery.deliver(
            session, outbox_id, current_app.config, render_email, owner=self.request.id or ""
        )
    # Logged under the request id of the web request that caused the row (task header).
    log.info("Outbox row %s: %s", outbox_id, outcome.value)
    # Every outcome acknowledges the message: a retry waits in the outbox row (next_attempt_at)
    # for the relay, not in the broker as a Celery countdown.
    return outcome.value


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
