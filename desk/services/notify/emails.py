"""Email builders of the notification kinds this package added (employer status emails,
staff notifications, the daily digest). notifications.email_for asks BUILDERS first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.domain.notification_catalogue import KINDS, Kind
from desk.models import Case, CaseMessage, Notification, OutboxMessage, Team, User
from desk.services.notifications import (
    EmailSpec,
    Undeliverable,
    _case_context,
    employer_link,
    staff_link,
)

Builder = Callable[[Session, OutboxMessage, str], EmailSpec]


def employer_preferences_link(base_url: str, case: Case) -> str:
    """Where the employer chooses which emails they get (reached from every employer email)."""
    return f"{employer_link(base_url, case)}/email-preferences"


def _case(session: Session, row: OutboxMessage) -> Case:
    case = session.get(Case, row.payload.get("case_id"))
    if case is None:
        raise Undeliverable(f"case {row.payload.get('case_id')} is gone")
    return case


def _user(session: Session, row: OutboxMessage) -> User:
    user = session.get(User, row.payload.get("user_id"))
    if user is None:
        raise Undeliverable(f"user {row.payload.get('user_id')} is gone")
    return user


def _last_public_staff_message(session: Session, case: Case) -> str:
    stmt = (
        select(CaseMessage.body)
        .where(
            CaseMessage.case_id == case.id,
            CaseMessage.author_kind == "staff",
            CaseMessage.visibility == "public",
        )
        .order_by(CaseMessage.id.desc())
        .limit(1)
    )
    return session.scalar(stmt) or ""


def _employer_status_email(session: Session, row: OutboxMessage, base_url: str) -> EmailSpec:
    """Waiting for the employer, resolved or closed: in the case's language."""
    case = _case(session, row)
    context: dict[str, Any] = {
        **_case_context(case, case.language),
        "link": employer_link(base_url, case),
    }
    if row.kind == "email.case_waiting":
        # What the adviser asked is in their latest public reply.
        context["question"] = _last_public_staff_message(session, case)
    return EmailSpec(
        to=case.email,
        language=case.language,
        template=KINDS[Kind(row.kind)].template,
        context=context,
    )


def _staff_email(session: Session, row: OutboxMessage, base_url: str) -> EmailSpec:
    """A staff notification about one case, in the staff member's language."""
    case = _case(session, row)
    user = _user(session, row)
    language = user.ui_language
    context: dict[str, Any] = {
        **_case_context(case, language),
        "link": staff_link(base_url, case),
        "staff_name": user.name,
        "municipality": case.municipality_label(language),
    }
    from_team = session.scalar(select(Team).where(Team.slug == row.payload.get("from_team")))
    if from_team is not None:
        context["from_team"] = from_team.name(language)
    return EmailSpec(
        to=user.email, language=language, template=KINDS[Kind(row.kind)].template, context=context
    )


def _digest_email(session: Session, row: OutboxMessage, base_url: str) -> EmailSpec:
    """The daily digest: held notifications, and for managers the cases at risk."""
    user = _user(session, row)
    language = user.ui_language

    def case_line(case: Case) -> dict[str, Any]:
        return {
            "reference": case.reference,
            "organisation_name": case.organisation_name,
            "team": case.team.name(language),
            "status": case.status,
            "received": case.created_at,
            "link": staff_link(base_url, case),
        }

    def cases(key: str) -> list[dict[str, Any]]:
        ids = [int(i) for i in row.payload.get(key, [])]
        found = session.scalars(select(Case).where(Case.id.in_(ids)).order_by(Case.created_at))
        return [case_line(case) for case in found] if ids else []

    ids = [int(i) for i in row.payload.get("notification_ids", [])]
    notes = (
        list(
            session.scalars(
                select(Notification).where(Notification.id.in_(ids)).order_by(Notification.id)
            )
        )
        if ids
        else []
    )
    items = [
        {"event_type": note.event_type, "created_at": note.created_at, **case_line(note.case)}
        for note in notes
        if note.case is not None
    ]
    return EmailSpec(
        to=user.email,
        language=language,
        template="daily_digest",
        context={
            "staff_name": user.name,
            "date": str(row.payload.get("date", "")),
            "items": items,
            "at_risk": cases("at_risk_ids"),
            "breached": cases("breached_ids"),
            "is_manager": user.role == "manager",
            "link": f"{base_url.rstrip('/')}/notifications",
        },
    )


BUILDERS: dict[str, Builder] = {
    "email.case_waiting": _employer_status_email,
    "email.case_resolved": _employer_status_email,
    "email.case_closed": _employer_status_email,
    "notify.new_case": _staff_email,
    "notify.case_assigned": _staff_email,
    "notify.case_transferred_in": _staff_email,
    "email.daily_digest": _digest_email,
}
