"""Which notifications exist, who reads them and how they may be delivered: data, not code.

Every outbox kind that notifies a person has one entry in KINDS. A new kind (for example the
SLA engine's warnings) slots in by adding one entry here and one email builder; recipients,
preferences, opt-outs, the in-app bell and the operations pages then treat it like the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class Audience(StrEnum):
    """Who reads a notification."""

    EMPLOYER = "employer"  # the case's contact person, by email, in the case's language
    STAFF = "staff"  # an adviser or manager (payload user_id), in their UI language
    SYSTEM = "system"  # another system, through a signed webhook


class Delivery(StrEnum):
    """A staff member's choice per event type."""

    IMMEDIATE = "immediate"  # an email at once (and the bell)
    DIGEST = "digest"  # in the next daily digest email (and the bell)
    IN_APP = "in_app"  # the bell only


@dataclass(frozen=True)
class EventType:
    """One kind of notification: its audience, email template and delivery rules."""

    key: str  # stable name used in preferences, the bell and the operations pages
    audience: Audience
    template: str = ""  # email template base name under templates/emails/
    # Employer messages the law or the case itself requires: sent even after an opt-out.
    legally_necessary: bool = False
    default_delivery: Delivery = Delivery.IMMEDIATE
    # Staff may move it to the digest or the bell only (False for the digest itself).
    configurable: bool = True
    # Shown in the staff member's bell (not the digest email itself).
    in_app: bool = True


EMPLOYER: Final = Audience.EMPLOYER
STAFF: Final = Audience.STAFF

KINDS: Final[dict[str, EventType]] = {
    # Employer. Kept whatever the employer chooses: the confirmation of receipt, the desk's
    # own answers in the case, a transfer (Administrative Procedure Act 434/2003 §21 requires
    # telling the party) and the outcome. Optional: "waiting for you" and "closed" notices.
    "email.case_received": EventType("case_received", EMPLOYER, "case_received", True),
    "email.staff_reply": EventType("staff_reply", EMPLOYER, "staff_reply", True),
    "email.case_transferred": EventType("case_transferred", EMPLOYER, "case_transferred", True),
    "email.case_resolved": EventType("case_resolved", EMPLOYER, "case_resolved", True),
    "email.case_waiting": EventType("case_waiting", EMPLOYER, "case_waiting"),
    "email.case_closed": EventType("case_closed", EMPLOYER, "case_closed"),
    # Advisers and managers.
    "notify.new_case": EventType("new_case", STAFF, "new_case", default_delivery=Delivery.IN_APP),
    "notify.case_assigned": EventType("case_assigned", STAFF, "case_assigned"),
    "email.employer_reply": EventType("employer_replied", STAFF, "employer_reply"),
    "notify.case_transferred_in": EventType("case_transferred_in", STAFF, "case_transferred_in"),
    # The SLA engine's events (its email builders and templates come with it).
    "email.sla_warning": EventType("sla_warning", STAFF, "sla_warning"),
    "email.sla_breach": EventType("sla_breach", STAFF, "sla_breach"),
    "email.sla_escalation": EventType("sla_escalation", STAFF, "sla_escalation"),
    # The daily summary itself is always an email.
    "email.daily_digest": EventType(
        "daily_digest", STAFF, "daily_digest", configurable=False, in_app=False
    ),
    # Other systems.
    "webhook.case_event": EventType("webhook", Audience.SYSTEM),
}


@dataclass(frozen=True)
class Reaction:
    """What a case event causes besides webhooks: an employer email, staff notifications."""

    employer_kind: str | None = None
    staff_kind: str | None = None
    # handlers: the assignee, else the team; team: every member; assignee: the new assignee.
    # Followers (recipients.follower_ids) hear of handlers and team events too.
    staff_audience: str = "handlers"


# Case events, in the order of a case's life; each is also a webhook event "type".
CASE_EVENTS: Final[dict[str, Reaction]] = {
    # The confirmation (email.case_received) is queued by submit_case itself.
    "case.received": Reaction(staff_kind="notify.new_case", staff_audience="team"),
    "case.assigned": Reaction(staff_kind="notify.case_assigned", staff_audience="assignee"),
    # The reply itself (email.staff_reply) is queued by reply(); the transfer email
    # (email.case_transferred) by the transfer, which knows the reason.
    "case.replied": Reaction(),
    "case.employer_replied": Reaction(staff_kind="email.employer_reply"),
    "case.transferred": Reaction(staff_kind="notify.case_transferred_in"),
    "case.open": Reaction(),
    "case.waiting": Reaction(employer_kind="email.case_waiting"),
    "case.resolved": Reaction(employer_kind="email.case_resolved"),
    "case.closed": Reaction(employer_kind="email.case_closed"),
}

# Case events other systems may subscribe to (the "type" of a webhook body).
WEBHOOK_EVENTS: Final = tuple(CASE_EVENTS)


def event_type(kind: str) -> EventType | None:
    """The catalogue entry of an outbox kind, or None for a kind nobody registered."""
    return KINDS.get(kind)


def staff_event_types() -> list[EventType]:
    """Staff event types a person may choose a delivery for, in catalogue order."""
    seen: dict[str, EventType] = {}
    for entry in KINDS.values():
        if entry.audience is STAFF and entry.configurable:
            seen.setdefault(entry.key, entry)
    return list(seen.values())


def channel_of(kind: str) -> str:
    """The channel an outbox kind travels on: email or webhook."""
    return "webhook" if kind.startswith("webhook.") else "email"


def employer_may_receive(entry: EventType, opted_out: bool) -> bool:
    """An employer who opted out still gets the legally necessary messages."""
    return entry.legally_necessary or not opted_out


def wants_email_now(entry: EventType, choice: Delivery | None) -> bool:
    """Whether a staff notification is emailed at once under the person's choice."""
    if not entry.configurable:
        return True
    return (choice or entry.default_delivery) is Delivery.IMMEDIATE
