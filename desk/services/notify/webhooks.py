"""Webhooks: administrators subscribe other systems to case events; bodies are signed.

Only URLs an administrator saved are ever called; redirects are not followed (a redirect
could lead anywhere). A URL must resolve to public addresses only (no loopback, private,
link-local, multicast, reserved...: the desk must not become a way into its own network);
this is checked when it is saved and again at each send, which then connects to the very
address it checked (a DNS answer that changes in between cannot lead elsewhere). Hosts on
the WEBHOOK_ALLOW_HOSTS setting (a test receiver) are exempt. The body of an event is fixed
when the event happens, so every retry sends the same bytes with the same event id and a
receiver can drop repeats by that id.
"""

from __future__ import annotations

import http.client
import json
import secrets
import socket
import ssl
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.domain import network_addresses
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


class Unreachable(ValueError):
    """The URL's host does not resolve, or resolves to an address the desk may not call."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code  # unresolvable | not_public


def resolve_destination(host: str, port: int, allow_hosts: Iterable[str] = ()) -> str:
    """The address to connect to for host: every address it resolves to must be public
    unless the host (or that address) is allow-listed. Raises Unreachable."""
    allowed = network_addresses.allow_list(list(allow_hosts))
    name = host.strip("[]").lower()
    trusted = network_addresses.allowed(name, allowed)
    try:
        found = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise Unreachable("unresolvable") from exc
    addresses = [str(info[4][0]) for info in found]
    if not addresses:
        raise Unreachable("unresolvable")
    for address in addresses:
        parsed = network_addresses.parse(address)
        if trusted or address in allowed:
            continue
        if parsed is None or not network_addresses.is_public(parsed):
            raise Unreachable("not_public")
    return addresses[0]


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def destination_error(url: str, allow_hosts: Iterable[str] = ()) -> str | None:
    """The error code of a well-formed URL whose host the desk may not call, else None."""
    parts = urlsplit(url.strip())
    try:
        port = parts.port or _default_port(parts.scheme)
    except ValueError:
        return "invalid"
    if network_addresses.allowed(parts.hostname or "", network_addresses.allow_list(allow_hosts)):
        return None  # the operator vouches for it; it is resolved (and pinned) at each send
    try:
        resolve_destination(parts.hostname or "", port, allow_hosts)
    except Unreachable as exc:
        return exc.code
    return None


def validate(
    name: str, url: str, events: list[str], allow_hosts: Iterable[str] = ()
) -> dict[str, str]:
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
    if "url" not in errors:
        problem = destination_error(url, allow_hosts)
        if problem is not None:
            errors["url"] = problem
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
    errors = validate(name, url, events, session.info.get("WEBHOOK_ALLOW_HOSTS") or ())
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


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to the address checked, whatever the name resolves to by now."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the address checked; the certificate is still checked for the host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


@dataclass(frozen=True)
class WebhookRequest:
    url: str
    secret: str
    body: bytes
    event_type: str
    delivery_id: int


def post(
    request: WebhookRequest,
    timeout: float,
    now: float | None = None,
    allow_hosts: Iterable[str] = (),
) -> int:
    """POST the signed body; returns the status, raises WebhookFailed when not taken.

    The host is resolved and checked again here (it may resolve elsewhere than when it
    was saved); a refused address is a permanent failure. Redirects are not followed.
    """
    timestamp = int(now if now is not None else time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(request.secret, timestamp, request.body),
        "X-Desk-Event": request.event_type,
        "X-Desk-Delivery": str(request.delivery_id),
    }
    parts = urlsplit(request.url)
    host = parts.hostname or ""
    try:
        port = parts.port or _default_port(parts.scheme)
        address = resolve_destination(host, port, allow_hosts)
    except Unreachable as exc:
        transient = exc.code == "unresolvable"  # DNS may come back; a refusal will not change
        raise WebhookFailed(f"destination refused: {exc.code}", permanent=not transient) from exc
    except ValueError as exc:
        raise WebhookFailed("invalid URL", permanent=True) from exc
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address, timeout)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    try:
        connection.request("POST", target, body=request.body, headers=headers)
        response = connection.getresponse()
        status = int(response.status)
        response.read(65536)
    except (TimeoutError, OSError, http.client.HTTPException) as exc:
        raise WebhookFailed(f"{type(exc).__name__}: {exc}") from exc
    finally:
        connection.close()
    if not 200 <= status < 300:
        # 408 (timeout), 429 (slow down) and 5xx may pass; other answers (3xx too) will not.
        transient = status in (408, 429) or status >= 500
        raise WebhookFailed(f"HTTP {status} from the receiver", permanent=not transient)
    return status
