"""Retention: personal data of finished cases is anonymised when its period has run out.

The periods are the authority's decision, so they are configuration (RETENTION_* in
config/default.toml). Anonymising keeps every statistics column (dates, team, need,
municipality, status, SLA targets and events) so the SLA reports still count the case, and
replaces the contact person's data and the free text that may hold it with a placeholder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from desk.domain.retention import PLACEHOLDER, months_before
from desk.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseMessage,
    OutboxMessage,
    SatisfactionResponse,
    utcnow,
)
from desk.services import audit
from desk.services.access import Actor
from desk.services.attachment_storage import Storage

DONE = ("resolved", "closed")
# Outbox rows still to be sent are left alone (only a finished case is ever anonymised).
_SENT = ("delivered", "dead", "suppressed", "discarded")
# Keys of case events' data that may hold personal data (the rest are codes and ids).
_PERSONAL_KEYS = frozenset({"body", "email", "name", "contact_name", "phone", "comment"})
BATCH = 200


@dataclass(frozen=True)
class Periods:
    """Months after which each kind of record is anonymised (0: never)."""

    closed_cases: int
    attachments: int
    audit_entries: int

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Periods:
        """The RETENTION_* settings."""
        return cls(
            int(config.get("RETENTION_CLOSED_CASES_MONTHS", 24)),
            int(config.get("RETENTION_ATTACHMENTS_MONTHS", 24)),
            int(config.get("RETENTION_AUDIT_ENTRIES_MONTHS", 60)),
        )


def is_anonymised(case: Case) -> bool:
    """Whether the case's personal data is already gone."""
    return case.contact_name == PLACEHOLDER and case.email == ""


def _scrub(data: dict[str, Any]) -> dict[str, Any]:
    return {key: PLACEHOLDER if key in _PERSONAL_KEYS else value for key, value in data.items()}


def anonymise_case(session: Session, case: Case) -> list[str]:
    """Replace the case's personal data with the placeholder (in the caller's transaction).

    Returns the storage keys of the attachments removed: the caller deletes their bytes
    after committing (`delete_files`). The case's updated_at is kept: anonymising is not work
    on the case, and the queues and reports order finished cases by it.
    """
    session.execute(
        update(Case)
        .where(Case.id == case.id)
        .values(
            contact_name=PLACEHOLDER,
            email="",
            phone="",
            description=PLACEHOLDER,
            updated_at=Case.updated_at,
        )
    )
    session.execute(
        update(CaseMessage).where(CaseMessage.case_id == case.id).values(body=PLACEHOLDER)
    )
    session.execute(
        update(SatisfactionResponse)
        .where(SatisfactionResponse.case_id == case.id)
        .values(comment="")
    )
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.case_id == case.id, OutboxMessage.status.in_(_SENT))
        .values(payload={"anonymised": True}, recipient="")
    )
    for event in session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)):
        if _PERSONAL_KEYS & set(event.data or {}):
            event.data = _scrub(event.data)
    removed = remove_attachments(session, case.id)
    session.expire(case)
    return removed


def remove_attachments(session: Session, case_id: int) -> list[str]:
    """Delete a case's attachment rows; their storage keys, for `delete_files` after commit."""
    keys = list(
        session.scalars(select(Attachment.storage_key).where(Attachment.case_id == case_id))
    )
    session.execute(delete(Attachment).where(Attachment.case_id == case_id))
    return keys


def delete_files(storage: Storage | None, keys: list[str]) -> None:
    """Remove the bytes of committed deletions (a rolled-back one keeps its files)."""
    if storage is not None:
        for key in keys:
            storage.delete(key)


@dataclass(frozen=True)
class RetentionRun:
    """What one run anonymised."""

    cases: int
    attachments: int
    audit_entries_due: int


def _finished_before(cutoff: datetime) -> Any:
    finished_at = func.coalesce(Case.closed_at, Case.resolved_at)
    return (
        Case.status.in_(DONE),
        finished_at < cutoff,
        ~((Case.contact_name == PLACEHOLDER) & (Case.email == "")),
    )


def apply_retention(
    session: Session,
    periods: Periods,
    storage: Storage | None = None,
    now: datetime | None = None,
    actor: Actor | None = None,
) -> RetentionRun:
    """Anonymise finished cases past their period, in batches; one audit entry per run.

    Audit entries are never deleted by the desk (the database refuses it): the run counts
    those past their period so the operator can archive them (README, Retention).
    """
    now = now or utcnow()
    actor = actor or Actor.system()
    cases = attachments = 0
    if periods.closed_cases > 0:
        cutoff = months_before(now, periods.closed_cases)
        while True:
            batch = list(
                session.scalars(
                    select(Case).where(*_finished_before(cutoff)).order_by(Case.id).limit(BATCH)
                )
            )
            if not batch:
                break
            keys = [key for case in batch for key in anonymise_case(session, case)]
            session.commit()
            delete_files(storage, keys)
            cases += len(batch)
            attachments += len(keys)
    if periods.attachments > 0:
        # Attachments may go sooner than the case itself.
        cutoff = months_before(now, periods.attachments)
        finished_at = func.coalesce(Case.closed_at, Case.resolved_at)
        ids = session.scalars(
            select(Case.id)
            .where(Case.status.in_(DONE), finished_at < cutoff)
            .where(Case.id.in_(select(Attachment.case_id)))
        ).all()
        keys = [key for case_id in ids for key in remove_attachments(session, case_id)]
        session.commit()
        delete_files(storage, keys)
        attachments += len(keys)
    due = 0
    if periods.audit_entries > 0:
        due = audit.count_before(session, months_before(now, periods.audit_entries))
    run = RetentionRun(cases, attachments, due)
    audit.record(
        session,
        actor,
        audit.Action.RETENTION,
        details={"cases": cases, "attachments": attachments, "audit_entries_due": due},
    )
    session.commit()
    return run
