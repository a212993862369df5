"""Every email an outbox row can stand for: one builder per Kind, reading current state by id.

BUILDERS is the services' half of the registry; the catalogue (desk.domain.
notification_catalogue.KINDS) is the pure half, and gives each kind its template. A kind
without a builder is the webhook's (delivery posts it; no email).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from desk.domain.notification_catalogue import Kind, event_type, kind_of
from desk.models import (
    Case,
    CaseMessage,
    CaseSlaTarget,
    Contact,
    Notification,
    OutboxMessage,
    SignInToken,
    Team,
    User,
)
from desk.services import organisations, signed_links
from desk.services.access import Role
from desk.services.notify.spec import (
    EmailSpec,
    Links,
    Undeliverable,
    case_context,
    case_of,
    staff_recipient,
)

Builder = Callable[[Session, OutboxMessage, Links], EmailSpec]


def _template(row: OutboxMessage) -> str:
    """The catalogue's template of the row's kind (the one place templates are named)."""
    entry = event_type(row.kind)
    if entry is None or not entry.template:
        raise Undeliverable(f"outbox kind {row.kind!r} has no email template")
    return entry.template


def _message(session: Session, row: OutboxMessage) -> CaseMessage:
    message = session.get(CaseMessage, row.payload.get("message_id"))
    if message is None:
        raise Undeliverable(f"message {row.payload.get('message_id')} is gone")
    return message


def _expected_dates(session: Session, case: Case) -> dict[str, Any]:
    """Due times of the case's SLA targets (Administrative Procedure Act §23)."""
    rows = session.scalars(select(CaseSlaTarget).where(CaseSlaTarget.case_id == case.id))
    due = {row.target: row.due_at for row in rows}
    return {
        "expected_first_response": due.get("first_response"),
        "expected_resolution": due.get("resolution"),
    }


def _to_employer(row: OutboxMessage, case: Case, links: Links, **extra: Any) -> EmailSpec:
    """An email to the case's contact person, with the case link: in the language they chose
    in the portal if they ever did, else in the case's language."""
    session = object_session(case)
    chosen = organisations.chosen_language(session, case.email) if session is not None else None
    language = chosen or case.language
    return EmailSpec(
        to=case.email,
        language=language,
        template=_template(row),
        context={
            **case_context(case, language),
            "link": links.employer(case),
            **extra,
        },
    )


def _to_staff(row: OutboxMessage, case: Case, user: User, links: Links, **extra: Any) -> EmailSpec:
    """An email to a staff member about a case, in their language, with the staff case link."""
    return EmailSpec(
        to=user.email,
        language=user.ui_language,
        template=_template(row),
        context={
            **case_context(case, user.ui_language),
            "link": links.staff(case),
            "staff_name": user.name,
            **extra,
        },
    )


# --- to the employer, in the case's language ---------------------------------------------


def _case_received(session: Session, row: OutboxMessage, links: Links) -> EmailSpec:
    """The confirmation of receipt, with the expected dates of the SLA targets."""
    case = case_of(session, row)
    return _to_employer(row, case, links, **_expected_dates(session, case))


def _staff_reply(session: Session, row: OutboxMessage, links: Links) -> EmailSpec:
    """The desk's public reply in the case."""
    case = case_of(session, row)
    return _to_employer(row, case, links, body=_message(session, row).body)


def _case_transferred(session: Session, row: OutboxMessage, links: Links) -> EmailSpec:
    """A transfer told to the employer, with the reason and the new team."""
    case = case_of(session, row)
    # The team of the transfer itself (the case may have moved on since).
    team = session.scalar(select(Team).where(Team.slug == row.payload.get("team")))
    if team is None:
        raise Undeliverable(f"team {row.payload.get('team')} is gone")
    return _to_employer(
        row,
        case,
        links,
        team=team.name(case.language),
        authority=team.authority.name(case.language),
        transfer_reason=str(row.payload.get("reason", "")),
        sent_at=case.created_at,
    )


def _employer_status_email(session: Session, row: OutboxMessage, links: Links) -> EmailSpec:
    """Waiting for the employer, resolved or closed."""
    case = case_of(session, row)
    extra: dict[str, Any] = {}
    if row.kind == Kind.INFORMATION_REQUESTED:
        # Asking the employer (cases.ask_employer): the question is in this one email. A
        # plain status change to waiting quotes nothing, so a reply sent before it is not
        # emailed a second time.
        extra["question"] = _message(session, row).body
    return _to_employer(row, case, links, **extra)


def _case_merged(session: Session, row: OutboxMessage, links: Links) -> EmailSpec:
    """A duplicate merged into another case: the other reference only for the same contact."""
    case = case_of(session, row)
    target = session.get(Case, row.payload.get("target_id"))
    if target is None:
        raise Undeliverable(f"case {row.payload.get('target_id')} is gone")
    same = target.email.strip().lower() == case.email.strip().lower()
    return _to_employer(
        row,
        case,
        links,
        target_reference=target.reference if same else "",
        target_link=links.employer(target) if same else "",
    )


# --- to a staff member (payload user_id), in their language --------------------------------


def _employer_reply(session: Session, row: OutboxMessage, links: Links) -> EmailSpec:
    """The employer answered in the case."""
    case = case_of(session, row)
    message = _message(session, row)
    return _to_staff(row, case, staff_recipient(session, row), links, body=message.body)


def _staff_email(session: Session, row: OutboxMessage, links: Links) -> EmailSpec:
    """A new case, an assignment or a transfer in: about one case."""
    case = case_of(session, row)
    user = staff_recipient(session, row)
    extra: dict[str, Any] = {"municipality": case.municipality_label(user.ui_language)}
    from_team = session.scalar(select(Team).where(Team.slug == row.payload.get("from_team")))
    if from_team is not None:
        extra["from_team"] = from_team.name(user.ui_language)
    return _to_staff(row, case, user, links, **extra)


def _case_followed(session: Session, row: OutboxMessage, links: Links) -> EmailSpec:
    """A key-account adviser told they follow a case another team handles."""
    case = case_of(session, row)
    user = staff_recipient(session, row)
    return _to_staff(row, case, user, links, business_id=case.business_id)


def _sla_email(session: Session, row: OutboxMessage, links: Links) -> EmailSpec:
    """A warning, breach or escalation about one target of the case."""
    case = case_of(session, row)
    user = staff_recipient(session, row)
    target = session.scalar(
        select(CaseSlaTarget).where(
            CaseSlaTarget.case_id == case.id, CaseSlaTarget.target == row.payload.get("target")
        )
    )
    if target is None:
        raise Undeliverable(f"case {case.id} has no target {row.payload.get('target')!r}")
    return _to_staff(
        row,
        case,
        user,
        links,
        target=target.target,
        due_at=target.due_at,
        assignee=case.assignee.name if case.assignee else "",
    )


def _follow_up_email(session: Session, row: OutboxMessage, links: Links) -> EmailSpec:
    """The follow-up date set on a case has come."""
    case = case_of(session, row)
    user = staff_recipient(session, row)
    return _to_staff(row, case, user, links, follow_up_at=case.follow_up_at)


def _digest_email(session: Session, row: OutboxMessage, links: Links) -> EmailSpec:
    """The daily digest: held notifications, and for managers the cases at risk."""
    user = staff_recipient(session, row)
    language = user.ui_language

    def case_line(case: Case) -> dict[str, Any]:
        return {
            "reference": case.reference,
            "organisation_name": case.organisation_name,
            "team": case.team.name(language),
            "status": case.status,
            "received": case.created_at,
            "link": links.staff(case),
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
        template=_template(row),
        context={
            "staff_name": user.name,
            "date": str(row.payload.get("date", "")),
            "items": items,
            "at_risk": cases("at_risk_ids"),
            "breached": cases("breached_ids"),
            "is_manager": user.role == Role.MANAGER,
            "link": links.url("/notifications"),
        },
    )


# --- to a person, about no case (the portal) ------------------------------------------------


def _portal_sign_in(session: Session, row: OutboxMessage, links: Links) -> EmailSpec:
    """The magic sign-in link (or a colleague's invitation), in the language of the request."""
    sign_in = session.get(SignInToken, row.payload.get("sign_in_id"))
    if sign_in is None:
        raise Undeliverable(f"sign-in {row.payload.get('sign_in_id')} is gone")
    token = signed_links.sign_in_token(links.secret, sign_in.id)
    contact = session.scalar(select(Contact).where(Contact.email == sign_in.email))
    organisation = contact.organisation if contact is not None else None
    return EmailSpec(
        to=sign_in.email,
        language=str(row.payload.get("language") or "fi"),
        template=_template(row),
        context={
            "link": links.url(f"/portal/sign-in/{token}"),
            "minutes": 15,
            "organisation_name": organisation.name if organisation is not None else "",
        },
    )


def _staff_invitation(session: Session, row: OutboxMessage, links: Links) -> EmailSpec:
    """A new staff member's set-password link, in their desk language."""
    user = session.get(User, row.payload.get("user_id"))
    if user is None or not user.active:
        raise Undeliverable(f"staff member {row.payload.get('user_id')} is gone or inactive")
    token = signed_links.set_password_token(
        links.secret,
        user.id,
        str(row.payload.get("stamp", "")),
        int(row.payload.get("issued_at", 0)),
    )
    return EmailSpec(
        to=user.email,
        language=str(row.payload.get("language") or "fi"),
        template=_template(row),
        context={
            "staff_name": user.name,
            "link": links.url(f"/set-password/{token}"),
            "hours": signed_links.SET_PASSWORD_MAX_AGE_SECONDS // 3600,
        },
    )


# Every kind but the webhook's (tests/services/test_notify_registry.py holds it so).
BUILDERS: Final[dict[Kind, Builder]] = {
    Kind.CASE_RECEIVED: _case_received,
    Kind.STAFF_REPLY: _staff_reply,
    Kind.CASE_TRANSFERRED: _case_transferred,
    Kind.CASE_RESOLVED: _employer_status_email,
    Kind.CASE_WAITING: _employer_status_email,
    Kind.CASE_CLOSED: _employer_status_email,
    Kind.CASE_MERGED: _case_merged,
    Kind.INFORMATION_REQUESTED: _employer_status_email,
    Kind.NEW_CASE: _staff_email,
    Kind.CASE_ASSIGNED: _staff_email,
    Kind.EMPLOYER_REPLY: _employer_reply,
    Kind.CASE_TRANSFERRED_IN: _staff_email,
    Kind.CASE_FOLLOWED: _case_followed,
    Kind.SLA_WARNING: _sla_email,
    Kind.SLA_BREACH: _sla_email,
    Kind.SLA_ESCALATION: _sla_email,
    Kind.DAILY_DIGEST: _digest_email,
    Kind.FOLLOW_UP_DUE: _follow_up_email,
    Kind.PORTAL_SIGN_IN: _portal_sign_in,
    Kind.PORTAL_INVITATION: _portal_sign_in,
    Kind.STAFF_INVITATION: _staff_invitation,
}


def email_for(session: Session, row: OutboxMessage, base_url: str, secret: str = "") -> EmailSpec:
    """Describe the email an outbox row stands for, reading current state by id.

    secret signs the employer's links (the app's SECRET_KEY; delivery always passes it)."""
    links = Links(base_url, secret)
    kind = kind_of(row.kind)
    builder = BUILDERS.get(kind) if kind is not None else None
    if builder is None:
        raise Undeliverable(f"unknown outbox kind {row.kind!r}")
    return builder(session, row, links)
