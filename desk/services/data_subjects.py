"""Data-subject rights (GDPR art. 15 and 17): everything stored about a contact person, and
its erasure where the law allows.

A contact person is known by the email address they gave: their cases (with messages,
workplaces, attachments' names, events), their email opt-out, and the access log's entries
about them. Erasure anonymises their cases as retention does (desk.services.retention), so
the statistics stay; it is refused while one of their cases is still open (the authority
still needs the data to serve them). The access log itself is kept: it is the authority's
legal obligation (Act 906/2019) and its chain must stay intact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from desk.domain.case_status import ACTIVE
from desk.domain.errors import FieldErrors
from desk.domain.intake import checked_email
from desk.models import AuditEntry, Case, EmployerOptOut
from desk.services import audit, retention
from desk.services.access import Actor, require_admin
from desk.services.attachment_storage import Storage
from desk.services.errors import Conflict

# Access-log entries shown and exported about one person (the newest; the CLI shows more).
AUDIT_LIMIT = 500


@dataclass(frozen=True)
class SubjectData:
    """What the desk stores about one contact person."""

    email: str
    cases: list[Case]
    opted_out_at: datetime | None
    audit_entries: list[AuditEntry]

    @property
    def open_cases(self) -> list[Case]:
        """Cases still being worked on: erasure waits until they are finished."""
        return [case for case in self.cases if case.status in {s.value for s in ACTIVE}]


def checked_address(value: str) -> str:
    """The address lower-cased; FieldErrors({"email": code}) when it is not one."""
    errors: dict[str, str] = {}
    email = checked_email(value[:320], "email", errors)
    if errors:
        raise FieldErrors(errors)
    return email.lower()


def find(session: Session, actor: Actor, email: str) -> SubjectData:
    """Everything stored about the address (administrators only)."""
    require_admin(actor, "data-subject requests")
    address = checked_address(email)
    found = list(
        session.scalars(
            select(Case).where(func.lower(Case.email) == address).order_by(Case.created_at)
        )
    )
    opt_out = session.get(EmployerOptOut, address)
    entries = audit.for_person(session, address, limit=AUDIT_LIMIT)
    return SubjectData(address, found, opt_out.created_at if opt_out else None, entries)


def export(session: Session, actor: Actor, email: str, kind: str) -> SubjectData:
    """`find`, with the export on record (kind: page, json or html)."""
    data = find(session, actor, email)
    audit.log(
        session,
        actor,
        audit.Action.SUBJECT_EXPORT,
        audit.Target.person(data.email),
        {"format": kind, "cases": [case.reference for case in data.cases]},
    )
    return data


def _case_json(case: Case) -> dict[str, Any]:
    return {
        "reference": case.reference,
        "created_at": case.created_at.isoformat(),
        "status": case.status,
        "business_id": case.business_id,
        "organisation_name": case.organisation_name,
        "contact_name": case.contact_name,
        "email": case.email,
        "phone": case.phone,
        "municipality": case.municipality_code or case.municipality_text,
        "need": case.need_code,
        "description": case.description,
        "language": case.language,
        "workplaces": [
            {"municipality": w.municipality_code or w.municipality_text, "address": w.address}
            for w in case.workplaces
        ],
        "messages": [
            {
                "at": m.created_at.isoformat(),
                "author": m.author_kind,
                "visibility": m.visibility,
                "body": m.body,
            }
            for m in case.messages
        ],
        "attachments": [
            {"name": a.name, "content_type": a.content_type, "size": a.size}
            for a in case.attachments
        ],
        "events": [
            {"at": e.created_at.isoformat(), "kind": e.kind, "actor": e.actor_kind}
            for e in case.events
        ],
    }


def as_json(data: SubjectData) -> dict[str, Any]:
    """The export as JSON primitives."""
    return {
        "email": data.email,
        "cases": [_case_json(case) for case in data.cases],
        "email_opt_out": data.opted_out_at.isoformat() if data.opted_out_at else None,
        "access_log": [audit.as_json(entry) for entry in data.audit_entries],
    }


@dataclass(frozen=True)
class Erasure:
    """What an erasure did."""

    cases: int
    attachments: int


def erase(session: Session, actor: Actor, email: str, storage: Storage | None = None) -> Erasure:
    """Anonymise every case of the address and forget its opt-out; Conflict("open_cases")
    while one of its cases is open. On record in the access log."""
    data = find(session, actor, email)
    if data.open_cases:
        raise Conflict("open_cases", ", ".join(case.reference for case in data.open_cases))
    keys: list[str] = []
    for case in data.cases:
        keys += retention.anonymise_case(session, case)
    session.execute(delete(EmployerOptOut).where(EmployerOptOut.email == data.email))
    result = Erasure(len(data.cases), len(keys))
    audit.record(
        session,
        actor,
        audit.Action.SUBJECT_ERASE,
        audit.Target.person(data.email),
        {"cases": [case.reference for case in data.cases], "attachments": len(keys)},
    )
    session.commit()
    retention.delete_files(storage, keys)
    return result
