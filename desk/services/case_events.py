"""A case's side effects in one place: `emit` writes the audit event and everything it causes.

Every service that changes a case calls `emit(session, case, kind, actor, **facts)` once per
change, inside its own transaction. What an event causes is data (`EFFECTS`): the SLA hook
that keeps the clocks in step, the case event published to notifications and webhooks, and
the email that must follow the commit through the outbox. A service never builds that list
by hand, so a new kind of change has one place to say what it sets off.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from desk.domain.notification_catalogue import Kind
from desk.models import Case, CaseEvent, utcnow
from desk.services import outbox, sla
from desk.services.access import Actor
from desk.services.notify import publish


class EventKind(StrEnum):
    """The kinds of entry in a case's audit trail (case_events.kind)."""

    CREATED = "created"
    ROUTED = "routed"
    CLAIMED = "claimed"
    ASSIGNED = "assigned"
    STATUS_CHANGED = "status_changed"
    REPLIED = "replied"
    NOTE_ADDED = "note_added"
    EMPLOYER_REPLIED = "employer_replied"
    TRANSFERRED = "transferred"
    FOLLOWER_ADDED = "follower_added"
    COLLABORATOR_ADDED = "collaborator_added"
    COLLABORATOR_REMOVED = "collaborator_removed"
    MERGED_INTO = "merged_into"  # on the duplicate
    MERGED_FROM = "merged_from"  # on the case it was merged into
    LINKED = "linked"
    UNLINKED = "unlinked"

    # Working a case (desk.services.case_work).
    EMPLOYER_ASKED = "employer_asked"
    FOLLOW_UP_SET = "follow_up_set"
    FOLLOW_UP_DUE = "follow_up_due"
    DETAILS_CHANGED = "details_changed"

    # The employer portal: the employer withdrew the request (cases.cancel_by_employer).
    CANCELLED_BY_EMPLOYER = "cancelled_by_employer"


SlaHook = Callable[[Session, Case, datetime, Mapping[str, Any]], None]


def _start_clocks(session: Session, case: Case, at: datetime, _facts: Mapping[str, Any]) -> None:
    sla.start_clocks(session, case, at)


def _follow_status(session: Session, case: Case, at: datetime, _facts: Mapping[str, Any]) -> None:
    sla.sync_with_status(session, case, at)


def _asked(session: Session, case: Case, at: datetime, facts: Mapping[str, Any]) -> None:
    _first_response(session, case, at, facts)
    sla.sync_with_status(session, case, at)  # waiting: the resolution clock pauses


def _first_response(session: Session, case: Case, at: datetime, facts: Mapping[str, Any]) -> None:
    if facts.get("first_response"):
        sla.first_response_given(session, case, at)


@dataclass(frozen=True)
class Effects:
    """What one kind of event sets off besides its audit row.

    published: the case event for notifications and webhooks ("case.assigned"), or a
        function of the facts (a status change publishes "case.<new status>").
    published_facts: the event's data, as published key -> fact key.
    email: an outbox kind queued with the event, with its payload as key -> fact key.
    sla: the hook that keeps the case's SLA clocks in step.
    """

    published: str | Callable[[Mapping[str, Any]], str] | None = None
    published_facts: Mapping[str, str] = field(default_factory=dict)
    email: Kind | None = None
    email_facts: Mapping[str, str] = field(default_factory=dict)
    sla: SlaHook | None = None


EFFECTS: Mapping[EventKind, Effects] = {
    EventKind.CREATED: Effects(sla=_start_clocks),
    # Routing a new request tells its team and confirms receipt to the employer.
    EventKind.ROUTED: Effects(published="case.received", email=Kind.CASE_RECEIVED),
    EventKind.CLAIMED: Effects(
        published="case.assigned", published_facts={"assignee_id": "assignee_id"}
    ),
    EventKind.ASSIGNED: Effects(
        published="case.assigned", published_facts={"assignee_id": "assignee_id"}
    ),
    EventKind.STATUS_CHANGED: Effects(
        published=lambda facts: f"case.{facts['to']}",
        published_facts={"previous": "from"},
        sla=_follow_status,
    ),
    EventKind.REPLIED: Effects(
        published="case.replied",
        published_facts={"message_id": "message_id"},
        email=Kind.STAFF_REPLY,
        email_facts={"message_id": "message_id"},
        sla=_first_response,
    ),
    EventKind.NOTE_ADDED: Effects(),
    EventKind.EMPLOYER_REPLIED: Effects(
        published="case.employer_replied", published_facts={"message_id": "message_id"}
    ),
    # The employer is told of a transfer, with the reason (Administrative Procedure Act §21).
    EventKind.TRANSFERRED: Effects(
        published="case.transferred",
        published_facts={"from_team": "from_team"},
        email=Kind.CASE_TRANSFERRED,
        email_facts={"team": "to_team", "from_team": "from_team", "reason": "reason"},
    ),
    EventKind.FOLLOWER_ADDED: Effects(email=Kind.CASE_FOLLOWED, email_facts={"user_id": "user_id"}),
    EventKind.COLLABORATOR_ADDED: Effects(),
    EventKind.COLLABORATOR_REMOVED: Effects(),
    # The duplicate is closed (its clocks stop) and its employer told by one email; no
    # status event, so no "resolved"/"closed" email goes out besides it.
    EventKind.MERGED_INTO: Effects(
        email=Kind.CASE_MERGED, email_facts={"target_id": "target_id"}, sla=_follow_status
    ),
    EventKind.MERGED_FROM: Effects(),
    EventKind.LINKED: Effects(),
    EventKind.UNLINKED: Effects(),
    # One message, one status change to waiting, one email quoting the question. It is
    # not "case.waiting", whose optional notice would be a second email.
    EventKind.EMPLOYER_ASKED: Effects(
        published="case.information_requested",
        published_facts={"previous": "from", "message_id": "message_id"},
        email=Kind.INFORMATION_REQUESTED,
        email_facts={"message_id": "message_id"},
        sla=_asked,
    ),
    EventKind.FOLLOW_UP_SET: Effects(),
    # The reminder: the assignee (or the team) hears of it, bell and email as they chose.
    EventKind.FOLLOW_UP_DUE: Effects(
        published="case.follow_up_due", published_facts={"follow_up_at": "follow_up_at"}
    ),
    EventKind.DETAILS_CHANGED: Effects(),
    # Withdrawn by the employer: closed at once (the clocks stop), the handlers told with the
    # reason (their "employer replied" notice quotes it); no "resolved"/"closed" email.
    EventKind.CANCELLED_BY_EMPLOYER: Effects(
        published="case.cancelled_by_employer",
        published_facts={"previous": "from", "message_id": "message_id"},
        sla=_follow_status,
    ),
}


def _project(facts: Mapping[str, Any], mapping: Mapping[str, str]) -> dict[str, Any]:
    return {key: facts[source] for key, source in mapping.items() if source in facts}


def emit(
    session: Session,
    case: Case,
    kind: EventKind,
    actor: Actor,
    at: datetime | None = None,
    **facts: Any,
) -> CaseEvent:
    """Record one change of a case and queue everything it causes; the caller commits."""
    effects = EFFECTS[kind]
    at = at or utcnow()
    if case.id is None:
        session.flush()  # the SLA hooks and the payloads need the case's id
    if effects.sla is not None:
        effects.sla(session, case, at, facts)
    event = CaseEvent(
        case=case,
        kind=kind.value,
        actor_id=actor.user_id,
        actor_kind=actor.kind.value,
        channel=actor.channel.value,
        data=facts,
        created_at=at,
    )
    session.add(event)
    if effects.published is not None:
        name = effects.published if isinstance(effects.published, str) else effects.published(facts)
        publish.case_event(
            session, case, name, actor.user, **_project(facts, effects.published_facts)
        )
    if effects.email is not None:
        session.flush()  # the case id (and the message id a fact names) for the payload
        outbox.enqueue(
            session, effects.email, {"case_id": case.id, **_project(facts, effects.email_facts)}
        )
    return event
