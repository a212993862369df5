"""Fan one case event out inside the caller's transaction: employer email, staff bell and
email (as each person chose), and webhooks. Nothing is sent here; the outbox sends later.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from desk.domain.notification_catalogue import (
    CASE_EVENTS,
    KINDS,
    Delivery,
    Kind,
    wants_email_now,
)
from desk.models import Case, Notification, User, utcnow
from desk.services import outbox
from desk.services.notify import preferences, recipients, webhooks


def case_event(
    session: Session, case: Case, event: str, actor: User | None = None, **data: Any
) -> None:
    """Everything a case event causes; the calling service commits with its change."""
    reaction = CASE_EVENTS[event]
    session.flush()  # ids of the case and of anything the data refers to
    if reaction.employer_kind:
        outbox.enqueue(session, reaction.employer_kind, {"case_id": case.id, **data})
    if reaction.staff_kind:
        assignee = data.get("assignee_id")
        user_ids = recipients.for_audience(
            session,
            case,
            reaction.staff_audience,
            actor.id if actor else None,
            assignee if isinstance(assignee, int) else None,
        )
        notify_staff(session, reaction.staff_kind, case, user_ids, data)
    webhooks.enqueue_for_event(session, case, event, data)


def notify_staff(
    session: Session, kind: Kind, case: Case, user_ids: list[int], data: dict[str, Any]
) -> list[Notification]:
    """The bell for each person at once, and an outbox email for those who want one now.

    People who chose the daily digest get the notification marked for it; those who chose
    the bell only get no email. Delivery checks the choice again, so a change made before
    the email leaves is respected.
    """
    entry = KINDS[kind]
    saved = preferences.stored_choices(session, user_ids)
    made = []
    emailed = []
    for user_id in user_ids:
        chosen = saved.get((user_id, entry.key))
        notification = Notification(
            user_id=user_id,
            case_id=case.id,
            kind=kind,
            event_type=entry.key,
            data=data,
            digest_state="pending" if (chosen or entry.default_delivery) is Delivery.DIGEST else "",
            created_at=utcnow(),
        )
        if wants_email_now(entry, chosen):
            row = outbox.enqueue(session, kind, {"case_id": case.id, "user_id": user_id, **data})
            emailed.append((notification, row))
        made.append(notification)
    if emailed:
        # One flush for every recipient's outbox row (one multi-row INSERT ... RETURNING),
        # not a round trip per person: this fan-out runs inside every submitter's request.
        session.flush()
        for notification, row in emailed:
            notification.outbox_id = row.id
    session.add_all(made)
    return made
