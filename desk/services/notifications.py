"""What each outbox email says and to whom: plain values for the email templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.models import Case, CaseMessage, CaseSlaTarget, OutboxMessage, Team, User

# SLA notifications to staff (desk.services.sla): outbox kind -> template.
SLA_TEMPLATES = {
    "email.sla_warning": "sla_warning",
    "email.sla_breach": "sla_breach",
    "email.sla_escalation": "sla_escalation",
}


@dataclass(frozen=True)
class EmailSpec:
    """An email to render: recipient, language, template name and its context."""

    to: str
    language: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


class Undeliverable(LookupError):
    """The row refers to something that no longer exists; it can never be delivered."""


def employer_link(base_url: str, case: Case) -> str:
    """The employer's private link to follow the case."""
    return f"{base_url.rstrip('/')}/case/{case.employer_token}"


def staff_link(base_url: str, case: Case) -> str:
    """The case page for staff."""
    return f"{base_url.rstrip('/')}/staff/cases/{case.reference}"


def _case_context(case: Case, language: str) -> dict[str, Any]:
    return {
        "reference": case.reference,
        "organisation_name": case.organisation_name,
        "contact_name": case.contact_name,
        "need": case.need.name(language),
        "team": case.team.name(language),
        "authority": case.authority.name(language),
        "reason": case.routing_reason,
        "status": case.status,
    }


def _expected_dates(session: Session, case: Case) -> dict[str, Any]:
    """Due times of the case's SLA targets (Administrative Procedure Act §23)."""
    rows = session.scalars(select(CaseSlaTarget).where(CaseSlaTarget.case_id == case.id))
    due = {row.target: row.due_at for row in rows}
    return {
        "expected_first_response": due.get("first_response"),
        "expected_resolution": due.get("resolution"),
    }


def _staff_recipient(session: Session, row: OutboxMessage) -> User:
    """The staff member an outbox row is addressed to (payload user_id)."""
    user = session.get(User, row.payload.get("user_id"))
    if user is None:
        raise Undeliverable(f"user {row.payload.get('user_id')} is gone")
    return user


def email_for(session: Session, row: OutboxMessage, base_url: str) -> EmailSpec:
    """Describe the email an outbox row stands for, reading current state by id."""
    from desk.services.notify.emails import BUILDERS  # the notify package's kinds

    if row.kind in BUILDERS:
        return BUILDERS[row.kind](session, row, base_url)
    case = session.get(Case, row.payload.get("case_id"))
    if case is None:
        raise Undeliverable(f"case {row.payload.get('case_id')} is gone")
    if row.kind == "email.case_received":
        return EmailSpec(
            to=case.email,
            language=case.language,
            template="case_received",
            context={
                **_case_context(case, case.language),
                "link": employer_link(base_url, case),
                **_expected_dates(session, case),
            },
        )
    if row.kind in SLA_TEMPLATES:
        return _sla_email(session, case, row, base_url)
    if row.kind in ("email.case_transferred", "email.case_followed"):
        return _routing_email(session, row, case, base_url)
    message = session.get(CaseMessage, row.payload.get("message_id"))
    if message is None:
        raise Undeliverable(f"message {row.payload.get('message_id')} is gone")
    if row.kind == "email.staff_reply":
        return EmailSpec(
            to=case.email,
            language=case.language,
            template="staff_reply",
            context={
                **_case_context(case, case.language),
                "link": employer_link(base_url, case),
                "body": message.body,
            },
        )
    if row.kind == "email.employer_reply":
        user = _staff_recipient(session, row)
        return EmailSpec(
            to=user.email,
            language=user.ui_language,
            template="employer_reply",
            context={
                **_case_context(case, user.ui_language),
                "link": staff_link(base_url, case),
                "body": message.body,
                "staff_name": user.name,
            },
        )
    raise Undeliverable(f"unknown outbox kind {row.kind!r}")


def _sla_email(session: Session, case: Case, row: OutboxMessage, base_url: str) -> EmailSpec:
    """A warning, breach or escalation about one target, to one staff member in their language."""
    user = _staff_recipient(session, row)
    target = session.scalar(
        select(CaseSlaTarget).where(
            CaseSlaTarget.case_id == case.id, CaseSlaTarget.target == row.payload.get("target")
        )
    )
    if target is None:
        raise Undeliverable(f"case {case.id} has no target {row.payload.get('target')!r}")
    return EmailSpec(
        to=user.email,
        language=user.ui_language,
        template=SLA_TEMPLATES[row.kind],
        context={
            **_case_context(case, user.ui_language),
            "link": staff_link(base_url, case),
            "staff_name": user.name,
            "target": target.target,
            "due_at": target.due_at,
            "assignee": case.assignee.name if case.assignee else "",
        },
    )


def _routing_email(session: Session, row: OutboxMessage, case: Case, base_url: str) -> EmailSpec:
    """A transfer told to the employer, or a key-account adviser told they follow a case."""
    if row.kind == "email.case_transferred":
        # The team of the transfer itself (the case may have moved on since).
        team = session.scalar(select(Team).where(Team.slug == row.payload.get("team")))
        if team is None:
            raise Undeliverable(f"team {row.payload.get('team')} is gone")
        language = case.language
        return EmailSpec(
            to=case.email,
            language=language,
            template="case_transferred",
            context={
                **_case_context(case, language),
                "team": team.name(language),
                "authority": team.authority.name(language),
                "transfer_reason": str(row.payload.get("reason", "")),
                "sent_at": case.created_at,
                "link": employer_link(base_url, case),
            },
        )
    user = _staff_recipient(session, row)
    return EmailSpec(
        to=user.email,
        language=user.ui_language,
        template="case_followed",
        context={
            **_case_context(case, user.ui_language),
            "link": staff_link(base_url, case),
            "staff_name": user.name,
            "business_id": case.business_id,
        },
    )


def prepare_email(session: Session, row: OutboxMessage, base_url: str) -> EmailSpec:
    """Describe the email and end the read transaction, so no lock is held while sending."""
    try:
        return email_for(session, row, base_url)
    finally:
        session.commit()
