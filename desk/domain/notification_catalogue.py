"""Which notifications exist, who reads them and how they may be delivered: data, not code.

Every kind the outbox carries is a member of Kind and has one entry in KINDS. A new kind
slots in by adding a member, an entry here and an email builder (desk.services.notify.emails,
keyed by the same member); recipients, preferences, opt-outs, the in-app bell and the
operations pages then treat it like the rest. A test holds the three together.
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
    # A person at the address they typed, about no case (the portal's sign-in link), in the
    # language they used; never opted out of (they asked for it).
    PERSON = "person"


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


class Kind(StrEnum):
    """Every kind of outbox row: the stored `kind` of the row (a StrEnum equals its string)."""

    # Employer emails, in the case's language.
    CASE_RECEIVED = "email.case_received"
    STAFF_REPLY = "email.staff_reply"
    CASE_TRANSFERRED = "email.case_transferred"
    CASE_RESOLVED = "email.case_resolved"
    CASE_WAITING = "email.case_waiting"
    CASE_CLOSED = "email.case_closed"
    CASE_MERGED = "email.case_merged"

    INFORMATION_REQUESTED = "email.information_requested"
    # Staff notifications (bell and, as each person chose, email).
    NEW_CASE = "notify.new_case"
    CASE_ASSIGNED = "notify.case_assigned"
    EMPLOYER_REPLY = "email.employer_reply"
    CASE_TRANSFERRED_IN = "notify.case_transferred_in"
    CASE_FOLLOWED = "email.case_followed"
    SLA_WARNING = "email.sla_warning"
    SLA_BREACH = "email.sla_breach"
    SLA_ESCALATION = "email.sla_escalation"
    DAILY_DIGEST = "email.daily_digest"
    FOLLOW_UP_DUE = "notify.follow_up_due"
    # The employer portal: the magic sign-in link, and a colleague's invitation.
    PORTAL_SIGN_IN = "email.portal_sign_in"
    PORTAL_INVITATION = "email.portal_invitation"
    # A new staff member's set-password link (desk.services.staff_invites).
    STAFF_INVITATION = "email.staff_invitation"
    # Other systems.
    WEBHOOK_CASE_EVENT = "webhook.case_event"


EMPLOYER: Final = Audience.EMPLOYER
STAFF: Final = Audience.STAFF

KINDS: Final[dict[Kind, EventType]] = {
    # Employer. Kept whatever the employer chooses: the confirmation of receipt, the desk's
    # own answers in the case, a transfer (Administrative Procedure Act 434/2003 §21 requires
    # telling the party) and the outcome. Optional: "waiting for you" and "closed" notices.
    Kind.CASE_RECEIVED: EventType("case_received", EMPLOYER, "case_received", True),
    Kind.STAFF_REPLY: EventType("staff_reply", EMPLOYER, "staff_reply", True),
    Kind.CASE_TRANSFERRED: EventType("case_transferred", EMPLOYER, "case_transferred", True),
    Kind.CASE_RESOLVED: EventType("case_resolved", EMPLOYER, "case_resolved", True),
    Kind.CASE_WAITING: EventType("case_waiting", EMPLOYER, "case_waiting"),
    Kind.CASE_CLOSED: EventType("case_closed", EMPLOYER, "case_closed"),
    # A duplicate merged into another case: the employer must know where it went (§21).
    Kind.CASE_MERGED: EventType("case_merged", EMPLOYER, "case_merged", True),
    # Asking the employer (cases.ask_employer): the desk's own question in the case, so
    # kept like a reply; the "waiting" notice's template, with the question quoted.
    Kind.INFORMATION_REQUESTED: EventType("information_requested", EMPLOYER, "case_waiting", True),
    # Advisers and managers.
    Kind.NEW_CASE: EventType("new_case", STAFF, "new_case", default_delivery=Delivery.IN_APP),
    Kind.CASE_ASSIGNED: EventType("case_assigned", STAFF, "case_assigned"),
    Kind.EMPLOYER_REPLY: EventType("employer_replied", STAFF, "employer_reply"),
    Kind.CASE_TRANSFERRED_IN: EventType("case_transferred_in", STAFF, "case_transferred_in"),
    # A key-account adviser follows a case another team handles (queued with follower_added).
    Kind.CASE_FOLLOWED: EventType("case_followed", STAFF, "case_followed"),
    # The SLA engine's events (the sweep queues them: desk.services.sla.EMAIL_KINDS).
    Kind.SLA_WARNING: EventType("sla_warning", STAFF, "sla_warning"),
    Kind.SLA_BREACH: EventType("sla_breach", STAFF, "sla_breach"),
    Kind.SLA_ESCALATION: EventType("sla_escalation", STAFF, "sla_escalation"),
    # The follow-up date an adviser set on a case has come (desk.services.case_work).
    Kind.FOLLOW_UP_DUE: EventType("follow_up_due", STAFF, "follow_up_due"),
    # The daily summary itself is always an email.
    Kind.DAILY_DIGEST: EventType(
        "daily_digest", STAFF, "daily_digest", configurable=False, in_app=False
    ),
    # The portal's sign-in link and a colleague's invitation: asked for (or sent by a
    # colleague) at that moment, so never held back by an email choice.
    Kind.PORTAL_SIGN_IN: EventType(
        "portal_sign_in", Audience.PERSON, "portal_sign_in", True, configurable=False, in_app=False
    ),
    Kind.PORTAL_INVITATION: EventType(
        "portal_invitation",
        Audience.PERSON,
        "portal_invitation",
        True,
        configurable=False,
        in_app=False,
    ),
    # A staff member's set-password link: sent because an administrator created them, so
    # never held back by an email choice (they have made none yet).
    Kind.STAFF_INVITATION: EventType(
        "staff_invitation",
        Audience.PERSON,
        "staff_invitation",
        True,
        configurable=False,
        in_app=False,
    ),
    # Other systems.
    Kind.WEBHOOK_CASE_EVENT: EventType("webhook", Audience.SYSTEM),
}


@dataclass(frozen=True)
class Reaction:
    """What a case event causes besides webhooks: an employer email, staff notifications."""

    employer_kind: Kind | None = None
    staff_kind: Kind | None = None
    # handlers: the assignee, else the team; team: every member; assignee: the new assignee.
    # Followers (recipients.follower_ids) hear of handlers and team events too.
    staff_audience: str = "handlers"


# Case events, in the order of a case's life; each is also a webhook event "type".
CASE_EVENTS: Final[dict[str, Reaction]] = {
    # The confirmation (email.case_received) follows the routing of a new case, queued
    # with it by desk.services.case_events.EFFECTS.
    "case.received": Reaction(staff_kind=Kind.NEW_CASE, staff_audience="team"),
    "case.assigned": Reaction(staff_kind=Kind.CASE_ASSIGNED, staff_audience="assignee"),
    # The reply itself (email.staff_reply) and the transfer email with its reason
    # (email.case_transferred) are queued with their case events (case_events.EFFECTS).
    "case.replied": Reaction(),
    "case.employer_replied": Reaction(staff_kind=Kind.EMPLOYER_REPLY),
    "case.transferred": Reaction(staff_kind=Kind.CASE_TRANSFERRED_IN),
    "case.open": Reaction(),
    "case.waiting": Reaction(employer_kind=Kind.CASE_WAITING),
    # Asking the employer waits too; its one email is queued with the event (EFFECTS).
    "case.information_requested": Reaction(),
    "case.resolved": Reaction(employer_kind=Kind.CASE_RESOLVED),
    "case.closed": Reaction(employer_kind=Kind.CASE_CLOSED),
    "case.follow_up_due": Reaction(staff_kind=Kind.FOLLOW_UP_DUE),
    # The employer withdrew the request in the portal: the handlers hear of it with the
    # reason, in the "employer replied" notice (the reason is the employer's last message).
    "case.cancelled_by_employer": Reaction(staff_kind=Kind.EMPLOYER_REPLY),
}

# Case events other systems may subscribe to (the "type" of a webhook body).
WEBHOOK_EVENTS: Final = tuple(CASE_EVENTS)


def kind_of(kind: str) -> Kind | None:
    """The Kind of a stored outbox kind, or None for a kind nobody registered."""
    try:
        return Kind(kind)
    except ValueError:
        return None


def event_type(kind: str) -> EventType | None:
    """The catalogue entry of an outbox kind, or None for a kind nobody registered."""
    known = kind_of(kind)
    return KINDS.get(known) if known is not None else None


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
