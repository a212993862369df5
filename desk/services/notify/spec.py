"""What every email builder and the delivery share: the email to render, the links into the
desk, the facts of a case, and the rows whose case or recipient is gone (Undeliverable).

Its own module, below emails and delivery, so that neither has to import the other for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from desk.models import Case, OutboxMessage, User
from desk.services import signed_links


@dataclass(frozen=True)
class EmailSpec:
    """An email to render: recipient, language, template name and its context."""

    to: str
    language: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


class Undeliverable(LookupError):
    """The row refers to something that no longer exists; it can never be delivered."""


def employer_link(base_url: str, secret: str, case: Case) -> str:
    """The employer's link to follow the case: signed for the case and its address (the raw
    private token is never stored, so emails cannot carry it)."""
    token = signed_links.employer_case_token(secret, case.id, case.email)
    return f"{base_url.rstrip('/')}/case/{token}"


@dataclass(frozen=True)
class Links:
    """What an email builder needs to link into the desk: the public base URL, and the
    secret that signs the employer's links."""

    base_url: str
    secret: str

    def url(self, path: str) -> str:
        """An absolute URL of a path of the desk."""
        return f"{self.base_url.rstrip('/')}{path}"

    def employer(self, case: Case) -> str:
        """The employer's signed case link (employer_link)."""
        return employer_link(self.base_url, self.secret, case)

    def staff(self, case: Case) -> str:
        """The case page for staff."""
        return staff_link(self.base_url, case)


def email_choices_link(base_url: str, secret: str, case: Case) -> str:
    """The signed email-choices (and one-click unsubscribe) link sent for this case to its
    address: it can change this case's choices, or the choices of that address."""
    token = signed_links.email_choices_token(secret, case.id, case.email)
    return f"{base_url.rstrip('/')}/email-choices/{token}"


def survey_link(base_url: str, secret: str, case: Case) -> str:
    """The signed satisfaction-survey link of a resolved case."""
    return f"{base_url.rstrip('/')}/portal/survey/{signed_links.survey_token(secret, case.id)}"


def staff_link(base_url: str, case: Case) -> str:
    """The case page for staff."""
    return f"{base_url.rstrip('/')}/staff/cases/{case.reference}"


def case_context(case: Case, language: str) -> dict[str, Any]:
    """The facts of a case every email template may show, named in the reader's language."""
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


def case_of(session: Session, row: OutboxMessage) -> Case:
    """The case an outbox row is about (payload case_id)."""
    case = session.get(Case, row.payload.get("case_id"))
    if case is None:
        raise Undeliverable(f"case {row.payload.get('case_id')} is gone")
    return case


def staff_recipient(session: Session, row: OutboxMessage) -> User:
    """The staff member an outbox row is addressed to (payload user_id)."""
    user = session.get(User, row.payload.get("user_id"))
    if user is None:
        raise Undeliverable(f"user {row.payload.get('user_id')} is gone")
    return user
