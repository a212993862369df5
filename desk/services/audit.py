"""The access log (Act 906/2019): record uses of personal data and changes, verify the chain.

Every entry's hash is the SHA-256 of the canonical JSON of its fields and the previous
entry's hash, so editing, deleting or inserting a row anywhere breaks the chain from there
on (`verify`). Writers are serialised on the one-row chain head: each first increments it
(a row lock on PostgreSQL, the write lock on SQLite), so ids are gapless and no two entries
share a predecessor. The service offers no update or delete; triggers refuse them too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from desk.models import AuditChainHead, AuditEntry, Case, utcnow
from desk.services.access import Actor

GENESIS = "0" * 64
_HEAD = 1
# Rows read per page by verify: memory stays bounded however long the log grows.
VERIFY_PAGE = 2000


class Action:
    """The actions on record (stored in audit_entries.action)."""

    CASE_VIEW = "case.view"
    EMPLOYER_VIEW = "employer.view"
    SEARCH = "case.search"
    EXPORT = "report.export"
    SIGN_IN = "auth.sign_in"
    SIGN_IN_FAILED = "auth.sign_in_failed"
    CONFIG_CHANGE = "config.change"
    AUDIT_QUERY = "audit.query"
    SUBJECT_EXPORT = "data_subject.export"
    SUBJECT_ERASE = "data_subject.erase"
    RETENTION = "retention.anonymise"
    # A staff member or a team was created or changed (desk.services.staff_admin).
    STAFF_CHANGE = "staff.change"


@dataclass(frozen=True)
class Target:
    """What an entry is about: a type and id, and the contact person whose data it holds."""

    type: str
    id: str
    subject_email: str = ""

    @classmethod
    def case(cls, case: Case) -> Target:
        """A case, whose contact person is the data subject."""
        return cls("case", case.reference, case.email.lower())

    @classmethod
    def person(cls, email: str) -> Target:
        """A contact person (data-subject requests)."""
        return cls("person", email.lower(), email.lower())


NOTHING = Target("", "")


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _fields(
    entry_id: int,
    at: datetime,
    actor_kind: str,
    actor_id: int | None,
    actor_email: str,
    action: str,
    object_type: str,
    object_id: str,
    subject_email: str,
    details: dict[str, Any],
    ip: str,
    channel: str,
) -> dict[str, Any]:
    return {
        "id": entry_id,
        "at": at.isoformat(),
        "actor_kind": actor_kind,
        "actor_id": actor_id,
        "actor_email": actor_email,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "subject_email": subject_email,
        "details": details,
        "ip": ip,
        "channel": channel,
    }


def entry_hash(fields: dict[str, Any], prev_hash: str) -> str:
    """SHA-256 (hex) of the entry's canonical JSON followed by the previous entry's hash."""
    return hashlib.sha256(_canonical(fields) + prev_hash.encode()).hexdigest()


def _clip(value: str | None, length: int) -> str:
    return (value or "")[:length]


def record(
    session: Session,
    actor: Actor,
    action: str,
    obj: Target = NOTHING,
    details: dict[str, Any] | None = None,
    ip: str | None = None,
    *,
    actor_email: str | None = None,
    actor_kind: str | None = None,
) -> AuditEntry:
    """Append an entry in the caller's transaction (the caller commits).

    `actor_email` and `actor_kind` name who tried when nobody is signed in (a failed sign-in).
    """
    session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == _HEAD)
        .values(last_id=AuditChainHead.last_id + 1)
    )
    entry_id, prev_hash = session.execute(
        select(AuditChainHead.last_id, AuditChainHead.last_hash).where(AuditChainHead.id == _HEAD)
    ).one()
    # Microsecond precision, which both databases store exactly: the hash re-computes.
    at = utcnow()
    email = actor_email if actor_email is not None else (actor.user.email if actor.user else "")
    fields = _fields(
        entry_id,
        at,
        actor_kind or actor.kind.value,
        actor.user_id,
        _clip(email.lower(), 254),
        action,
        _clip(obj.type, 40),
        _clip(obj.id, 254),
        _clip(obj.subject_email, 254),
        dict(details or {}),
        _clip(ip if ip is not None else actor.client, 64),
        actor.channel.value,
    )
    digest = entry_hash(fields, prev_hash)
    entry = AuditEntry(
        id=entry_id,
        at=at,
        actor_kind=fields["actor_kind"],
        actor_id=fields["actor_id"],
        actor_email=fields["actor_email"],
        action=action,
        object_type=fields["object_type"],
        object_id=fields["object_id"],
        subject_email=fields["subject_email"],
        details=fields["details"],
        ip=fields["ip"],
        channel=fields["channel"],
        prev_hash=prev_hash,
        hash=digest,
    )
    session.add(entry)
    session.execute(
        update(AuditChainHead).where(AuditChainHead.id == _HEAD).values(last_hash=digest)
    )
    session.flush()
    return entry


def log(
    session: Session,
    actor: Actor,
    action: str,
    obj: Target = NOTHING,
    details: dict[str, Any] | None = None,
    **kwargs: Any,
) -> None:
    """Record one entry in its own transaction: a page view or an export (nothing else to save)."""
    record(session, actor, action, obj, details, **kwargs)
    session.commit()


# --- verifying --------------------------------------------------------------------------


@dataclass(frozen=True)
class Broken:
    """The first entry where the chain does not hold, and why."""

    entry_id: int
    reason: str


_COLUMNS = (
    AuditEntry.id,
    AuditEntry.at,
    AuditEntry.actor_kind,
    AuditEntry.actor_id,
    AuditEntry.actor_email,
    AuditEntry.action,
    AuditEntry.object_type,
    AuditEntry.object_id,
    AuditEntry.subject_email,
    AuditEntry.details,
    AuditEntry.ip,
    AuditEntry.channel,
    AuditEntry.prev_hash,
    AuditEntry.hash,
)


def _pages(session: Session, page: int) -> Iterator[Any]:
    last = 0
    while True:
        rows = session.execute(
            select(*_COLUMNS).where(AuditEntry.id > last).order_by(AuditEntry.id).limit(page)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def verify(session: Session, page: int = VERIFY_PAGE) -> Broken | None:
    """The first broken entry (edited, deleted, inserted or re-ordered), or None if intact.

    Reads plain rows page by page (keyset on id), never the whole log at once.
    """
    expected_id, prev = 1, GENESIS
    for row in _pages(session, page):
        if row.id != expected_id:
            return Broken(expected_id, f"entry {expected_id} is missing")
        if row.prev_hash != prev:
            return Broken(row.id, "its previous hash does not match the entry before it")
        fields = _fields(*row[:12])
        if entry_hash(fields, prev) != row.hash:
            return Broken(row.id, "its content does not match its hash")
        expected_id, prev = row.id + 1, row.hash
    last_id, last_hash = session.execute(
        select(AuditChainHead.last_id, AuditChainHead.last_hash).where(AuditChainHead.id == _HEAD)
    ).one()
    if last_id != expected_id - 1 or last_hash != prev:
        reason = "the chain head does not match the last entry (entries removed at the end?)"
        return Broken(min(expected_id, last_id + 1), reason)
    return None


def count(session: Session) -> int:
    """How many entries the log holds."""
    return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


# --- querying ---------------------------------------------------------------------------


def for_case(
    session: Session, reference: str, before_id: int | None = None, limit: int = 50
) -> list[AuditEntry]:
    """A case's entries, newest first; `before_id` is the keyset cursor of the next page."""
    query = select(AuditEntry).where(
        AuditEntry.object_type == "case", AuditEntry.object_id == reference.strip()
    )
    return _page(session, query, before_id, limit)


def for_person(
    session: Session, email: str, before_id: int | None = None, limit: int = 50
) -> list[AuditEntry]:
    """Entries by a staff member or about a contact person (by email), newest first."""
    address = email.strip().lower()
    query = select(AuditEntry).where(
        or_(AuditEntry.actor_email == address, AuditEntry.subject_email == address)
    )
    return _page(session, query, before_id, limit)


def _page(session: Session, query: Any, before_id: int | None, limit: int) -> list[AuditEntry]:
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return list(session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit)))


def as_json(entry: AuditEntry) -> dict[str, Any]:
    """An entry as JSON primitives (the CLI, the data-subject export)."""
    return {
        **_fields(
            entry.id,
            entry.at,
            entry.actor_kind,
            entry.actor_id,
            entry.actor_email,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.subject_email,
            entry.details,
            entry.ip,
            entry.channel,
        ),
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def count_before(session: Session, cutoff: datetime) -> int:
    """How many entries are older than the cutoff (past their retention period)."""
    return int(
        session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.at < cutoff))
        or 0
    )
