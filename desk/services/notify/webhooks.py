"""Webhooks: administrators subscribe other systems to case events; bodies are signed.

Only URLs an administrator saved are ever called; redirects are not followed (a redirect
could lead anywhere). The body of an event is fixed when the event happens, so every retry
sends the same bytes with the same event id and a receiver can drop repeats by that id.
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.domain.errors import FieldErrors
from desk.domain.notification_catalogue import WEBHOOK_EVENTS, Kind
from desk.domain.webhook_signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from desk.models import Case, WebhookSubscription, utcnow
from desk.services import outbox
from desk.services.access import Actor, require_admin
from desk.services.errors import NotFound

KIND = Kind.WEBHOOK_CASE_EVENT
MAX_NAME = 200
MAX_URL = 2000
USER_AGENT = "paijat-hame-employer-desk-webhooks/1"


class InvalidSubscription(FieldErrors):
    """Some fields are invalid; errors maps field name to an error code."""


class WebhookFailed(Exception):
    """The receiver did not take the event; permanent when retrying cannot help."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def new_secret() -> str:
    """A random signing secret (shown to the administrator, who gives it to the receiver)."""
    return "whsec_" + secrets.token_urlsafe(32)


def validate(name: str, url: str, events: list[str]) -> dict[str, str]:
    """Field error codes of a subscription (empty when valid)."""
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "required"
    elif len(name.strip()) > MAX_NAME:
        errors["name"] = "too_long"
    parts = urlsplit(url.strip())
    if not url.strip():
        errors["url"] = "required"
    elif len(url.strip()) > MAX_URL:
        errors["url"] = "too_long"
    elif parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
        errors["url"] = "invalid"
    if any(event not in WEBHOOK_EVENTS for event in events):
        errors["events"] = "invalid"
    return errors


def list_subscriptions(session: Session) -> list[WebhookSubscription]:
    """Every subscription, newest first."""
    stmt = select(WebhookSubscription).order_by(WebhookSubscription.id.desc())
    return list(session.scalars(stmt))


def create_subscription(
    session: Session, actor: Actor, name: str, url: str, events: list[str]
) -> WebhookSubscription:
    """Subscribe a URL to case events (all of them when events is empty)."""
    admin = require_admin(actor, "manage webhooks")
    errors = validate(name, url, events)
    if errors:
        raise InvalidSubscription(errors)
    subscription = WebhookSubscription(
        name=name.strip(),
        url=url.strip(),
        secret=new_secret(),
        events=[event for event in WEBHOOK_EVENTS if event in events],
        active=True,
        created_by_id=admin.id,
        created_at=utcnow(),
    )
    session.add(subscription)
    session.commit()
    return subscription


def _get(session: Session, actor: Actor, subscription_id: int) -> WebhookSubscription:
    require_admin(actor, "manage webhooks")
    subscription = session.get(WebhookSubscription, subscription_id)
    if subscription is None:
        raise NotFound(str(subscription_id))
    return subscription


def set_active(
    session: Session, actor: Actor, subscription_id: int, active: bool
) -> WebhookSubscription:
    """Pause or resume a subscription (events of a paused one are not sent)."""
    subscription = _get(session, actor, subscription_id)
    subscription.active = active
    session.commit()
    return subscription


def rotate_secret(session: Session, actor: Actor, subscription_id: int) -> WebhookSubscription:
    """Give the subscription a new signing secret."""
    subscription = _get(session, actor, subscription_id)
    subscription.secret = new_secret()
    session.commit()
    return subscription


def delete_subscription(session: Session, actor: Actor, subscription_id: int) -> None:
    """Remove a subscription; its queued events end as suppressed."""
    session.delete(_get(session, actor, subscription_id))
    session.commit()


def case_summary(case: Case) -> dict[str, Any]:
    """What other systems learn of a case: no contact details and no free text."""
    return {
        "reference": case.reference,
        "status": case.status,
        "need": case.need_code,
        "team": case.team.slug,
        "authority": case.authority_slug,
        "business_id": case.business_id,
        "organisation_name": case.organisation_name,
        "municipality": case.municipality_code,
        "language": case.language,
        "created_at": case.created_at.isoformat(),
    }


def enqueue_for_event(session: Session, case: Case, event: str, data: dict[str, Any]) -> int:
    """One outbox row per active subscription that wants the event (no commit)."""
    subscriptions = [
        subscription
        for subscription in session.scalars(
            select(WebhookSubscription).where(WebhookSubscription.active.is_(True))
        )
        if not subscription.events or event in subscription.events
    ]
    if not subscriptions:
        return 0
    body = {
        "id": str(uuid.uuid4()),
        "type": event,
        "occurred_at": utcnow().isoformat(),
        "case": case_summary(case),
        "data": data,
    }
    for subscription in subscriptions:
        outbox.enqueue(
            session,
            KIND,
            {"case_id": case.id, "subscription_id": subscription.id, "event": body},
        )
    return len(subscriptions)


def encode(event: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed) for an event."""
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx surfaces as an HTTPError


@dataclass(frozen=True)
class WebhookRequest:
    url: str
    secret: str
    body: bytes
    event_type: str
    delivery_id: int


def post(request: WebhookRequest, timeout: float, now: float | None = None) -> int:
    """POST the signed body; returns the status, raises WebhookFailed when not taken."""
    timestamp = int(now if now is not None else time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(request.secret, timestamp, request.body),
        "X-Desk-Event": request.event_type,
        "X-Desk-Delivery": str(request.delivery_id),
    }
    opener = urllib.request.build_opener(_NoRedirects)
    http_request = urllib.request.Request(
        request.url, data=request.body, headers=headers, method="POST"
    )
    try:
        with opener.open(http_request, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        status = int(exc.code)
        # 408 (timeout), 429 (slow down) and 5xx may pass; other answers will not change.
        transient = status in (408, 429) or status >= 500
        raise WebhookFailed(f"HTTP {status} from the receiver", permanent=not transient) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise WebhookFailed(f"{type(exc).__name__}: {reason}") from exc
    return status
