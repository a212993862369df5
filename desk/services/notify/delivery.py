"""What one outbox row becomes when it is delivered: an email, a webhook call, or nothing.

The gates live here, at delivery time, so they hold for every kind whoever queued it (the
SLA sweep queues its emails directly): a staff member's choice (email now, daily digest,
bell only) and an employer's opt-out from optional messages. A staff notification always
reaches the bell: delivery makes the in-app notification when the row's producer did not.

deliver() is one attempt from start to end, and holds the delivery rules: a row whose case
or recipient is gone is dead at once; a failed send is counted and rescheduled by the outbox
with jittered exponential backoff, or dead at once when it is permanent (is_permanent) or
when OUTBOX_MAX_ATTEMPTS attempts have failed. The Celery task only calls it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from email.utils import parseaddr
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from desk.domain import network_addresses
from desk.domain.inbound_mail import reply_address, thread_root
from desk.domain.notification_catalogue import (
    Audience,
    Delivery,
    EventType,
    Kind,
    employer_may_receive,
    event_type,
    wants_email_now,
)
from desk.models import (
    Case,
    Notification,
    OutboxMessage,
    User,
    WebhookSubscription,
    utcnow,
)
from desk.services import mailer, outbox
from desk.services.inbound.settings import InboundSettings
from desk.services.notify import preferences, webhooks
from desk.services.notify.emails import email_for
from desk.services.notify.spec import (
    EmailSpec,
    Undeliverable,
    case_of,
    email_choices_link,
    staff_recipient,
    survey_link,
)

log = logging.getLogger(__name__)

DELIVERY_LABELS = {Delivery.DIGEST: "daily digest", Delivery.IN_APP: "in-app only"}


@dataclass(frozen=True)
class EmailPlan:
    """An email to render and send."""

    spec: EmailSpec
    sender: str
    message_id: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WebhookPlan:
    """A signed POST to a subscriber."""

    request: webhooks.WebhookRequest


@dataclass(frozen=True)
class Suppressed:
    """Nothing to send, and why."""

    reason: str


Plan = EmailPlan | WebhookPlan | Suppressed


def sender_for(config: Mapping[str, Any], authority: str | None) -> str:
    """The From address of an authority (MAIL_FROM_<SLUG>), else MAIL_FROM."""
    if authority:
        key = "MAIL_FROM_" + authority.upper().replace("-", "_")
        if config.get(key):
            return str(config[key])
    return str(config["MAIL_FROM"])


def message_id(row: OutboxMessage, sender: str) -> str:
    """The same Message-ID on every attempt of a row, so a receiving system that already got
    a copy (the connection broke after the server took it) can drop the repeat."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "desk.invalid"
    return f"<outbox-{row.id}.{int(row.created_at.timestamp())}@{domain}>"


def ensure_in_app(
    session: Session, row: OutboxMessage, entry: EventType, user: User, chosen: Delivery | None
) -> Notification | None:
    """The bell notification of a staff row: the one made with it, or a new one."""
    if not entry.in_app:
        return None
    found = session.scalar(select(Notification).where(Notification.outbox_id == row.id))
    if found is not None:
        return found
    data = {k: v for k, v in row.payload.items() if k not in ("case_id", "user_id")}
    digest = (chosen or entry.default_delivery) is Delivery.DIGEST
    notification = Notification(
        user_id=user.id,
        case_id=row.case_id,
        kind=row.kind,
        event_type=entry.key,
        data=data,
        outbox_id=row.id,
        digest_state="pending" if digest else "",
        created_at=utcnow(),
    )
    session.add(notification)
    return notification


def _staff_gate(session: Session, row: OutboxMessage, entry: EventType) -> Suppressed | None:
    user = staff_recipient(session, row)
    chosen = preferences.choice(session, user.id, entry.key)
    notification = ensure_in_app(session, row, entry, user, chosen)
    row.recipient = f"{user.name} <{user.email}>"
    if not user.active:
        return Suppressed("the staff account is not active")
    if not wants_email_now(entry, chosen):
        choice = chosen or entry.default_delivery
        digest = choice is Delivery.DIGEST
        if digest and notification is not None and notification.digest_state == "":
            notification.digest_state = "pending"
        return Suppressed(f"{user.name} chose {DELIVERY_LABELS.get(choice, choice.value)}")
    return None


def _employer_gate(session: Session, row: OutboxMessage, entry: EventType) -> Suppressed | None:
    case = case_of(session, row)
    row.recipient = case.email
    if not employer_may_receive(entry, preferences.employer_opted_out_for_case(session, case)):
        return Suppressed("the employer opted out of optional messages")
    return None


def _authority_of(session: Session, row: OutboxMessage) -> str | None:
    if row.case_id is not None:
        case = session.get(Case, row.case_id)
        if case is not None:
            return case.authority_slug
    user = session.get(User, row.payload.get("user_id"))
    return user.authority_slug if user is not None else None


def _reply_headers(config: Mapping[str, Any], case: Case) -> dict[str, str]:
    """The case's signed Reply-To and its thread: an answer lands on the case (inbound)."""
    settings = InboundSettings.from_config(config)
    base = settings.address_for(case.authority_slug)
    if not base:
        return {}
    root = thread_root(case.reference, base.rpartition("@")[2] or "desk.invalid")
    return {
        "Reply-To": reply_address(settings.secret, base, case.reference),
        "In-Reply-To": root,
        "References": root,
    }


def _webhook(session: Session, row: OutboxMessage) -> Plan:
    subscription = session.get(WebhookSubscription, row.payload.get("subscription_id"))
    if subscription is None:
        return Suppressed("the webhook subscription was removed")
    row.recipient = f"{subscription.name} ({subscription.url})"[:300]
    if not subscription.active:
        return Suppressed("the webhook subscription is paused")
    event = row.payload.get("event") or {}
    return WebhookPlan(
        webhooks.WebhookRequest(
            url=subscription.url,
            secret=subscription.secret,
            body=webhooks.encode(event),
            event_type=str(event.get("type", "")),
            delivery_id=row.id,
        )
    )


def _plan(session: Session, row: OutboxMessage, config: Mapping[str, Any]) -> Plan:
    if row.kind == Kind.WEBHOOK_CASE_EVENT:
        return _webhook(session, row)
    if row.case_id is not None:
        # Load the case once without its message and event lists (no email needs them);
        # every later session.get(Case, ...) of this delivery finds it in the identity map.
        session.get(Case, row.case_id, options=[lazyload(Case.messages), lazyload(Case.events)])
    entry = event_type(row.kind)
    if entry is not None and entry.audience is Audience.STAFF and "user_id" in row.payload:
        gate = _staff_gate(session, row, entry)
    elif entry is not None and entry.audience is Audience.EMPLOYER:
        gate = _employer_gate(session, row, entry)
    else:
        gate = None
    if gate is not None:
        return gate
    base_url = str(config["BASE_URL"])
    spec = email_for(session, row, base_url, str(config["SECRET_KEY"]))
    headers = {"Auto-Submitted": "auto-generated"}
    if entry is not None and entry.audience is Audience.EMPLOYER and row.case_id is not None:
        case = session.get(Case, row.case_id)
        if case is not None:
            secret = str(config["SECRET_KEY"])
            link = email_choices_link(base_url, secret, case)
            extra: dict[str, Any] = {"preferences_link": link}
            if row.kind == Kind.CASE_RESOLVED:
                extra["survey_link"] = survey_link(base_url, secret, case)
            spec = replace(spec, context={**spec.context, **extra})
            # RFC 2369 wants the plain <https://...>, and RFC 8058 the one-click POST to it;
            # mailer.build_message keeps these two headers unencoded.
            headers["List-Unsubscribe"] = f"<{link}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
            headers.update(_reply_headers(config, case))
    row.recipient = row.recipient or spec.to
    sender = sender_for(config, _authority_of(session, row))
    return EmailPlan(spec, sender, message_id(row, sender), headers)


def plan(session: Session, row: OutboxMessage, config: Mapping[str, Any]) -> Plan:
    """Decide what the row becomes and end the read transaction (no lock while sending).

    Raises Undeliverable when what the row refers to is gone (it can never be delivered).
    """
    try:
        return _plan(session, row, config)
    finally:
        session.commit()


class Outcome(StrEnum):
    """How one delivery attempt ended (the task's return value)."""

    SKIPPED = "skipped"  # finished already, or another attempt holds its lease
    DELIVERED = "delivered"
    SUPPRESSED = "suppressed"  # a choice or an opt-out said no
    RETRY = "retry"  # failed; the outbox has scheduled the next attempt
    DEAD = "dead"  # failed for good: a dead letter for administrators


# Renders an email in its language: (subject, text, html). The task layer passes its Jinja
# renderer in, as templates and locales are the Flask app's and services never import Flask.
Render = Callable[[EmailSpec], tuple[str, str, str]]


def is_permanent(exc: BaseException) -> bool:
    """A failure that sending again cannot mend: a webhook receiver's final answer, or an SMTP
    5xx about this message or its recipient (mailer.is_permanent). Anything else is retried."""
    if isinstance(exc, webhooks.WebhookFailed):
        return exc.permanent
    return mailer.is_permanent(exc)


def deliver(
    session: Session,
    outbox_id: int,
    config: Mapping[str, Any],
    render: Render,
    owner: str = "",
) -> Outcome:
    """One delivery attempt of an outbox row, recorded on the row; idempotent by its state.

    owner is the Celery task id (see outbox.start_delivery). A failed send never raises: it
    is counted on the row and rescheduled or dead-lettered there.
    """
    lease = timedelta(seconds=float(config["OUTBOX_REDISPATCH_AFTER_SECONDS"]))
    row = outbox.start_delivery(session, outbox_id, lease, owner=owner)
    if row is None:
        return Outcome.SKIPPED
    try:
        decided = plan(session, row, config)
    except Undeliverable as exc:
        outbox.mark_failed(session, row, str(exc), max_attempts=1)
        return Outcome.DEAD
    if isinstance(decided, Suppressed):
        outbox.mark_suppressed(session, row, decided.reason)
        return Outcome.SUPPRESSED
    try:
        _send(decided, config, render)
    except Exception as exc:  # every failed attempt is counted, retried and shown
        retried = outbox.mark_failed(
            session,
            row,
            f"{type(exc).__name__}: {exc}",
            int(config["OUTBOX_MAX_ATTEMPTS"]),
            outbox.Backoff.from_config(config),
            is_permanent(exc),
        )
        log.warning("outbox %s delivery failed (%s); retry=%s", outbox_id, exc, retried)
        return Outcome.RETRY if retried else Outcome.DEAD
    outbox.mark_delivered(session, row)
    return Outcome.DELIVERED


def _send(decided: EmailPlan | WebhookPlan, config: Mapping[str, Any], render: Render) -> None:
    if isinstance(decided, WebhookPlan):
        webhooks.post(
            decided.request,
            float(config["WEBHOOK_TIMEOUT_SECONDS"]),
            allow_hosts=network_addresses.allow_list(config.get("WEBHOOK_ALLOW_HOSTS") or ()),
        )
        return
    subject, text, html = render(decided.spec)
    settings = mailer.SmtpSettings.from_config(config)
    message = mailer.build_message(
        settings,
        to=decided.spec.to,
        subject=subject,
        text=text,
        html=html,
        language=decided.spec.language,
        sender=decided.sender,
        message_id=decided.message_id,
        headers=decided.headers,
    )
    mailer.send(settings, message)
