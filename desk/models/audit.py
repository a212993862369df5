"""The access log (Act 906/2019): who used or changed what, when and from where.

Append-only and tamper-evident: each entry carries the hash of the one before it
(desk.services.audit computes and verifies them); database triggers refuse UPDATE and
DELETE. Actors and objects are plain values, no foreign keys: the log outlives the users
and cases it names.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from desk.models.base import Base
from desk.models.types import UTCDateTime


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (
        # The manager's queries, newest first with the id as keyset cursor.
        Index("ix_audit_entries_object", "object_type", "object_id", "id"),
        Index("ix_audit_entries_actor_email", "actor_email", "id"),
        Index("ix_audit_entries_subject_email", "subject_email", "id"),
    )

    # Assigned by the service from the chain head (gapless: a deleted row shows as a gap).
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_kind: Mapped[str] = mapped_column(String(20))  # staff | employer | system
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_email: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[str] = mapped_column(String(254), default="")
    # The contact person whose data was used (a case's email), for "per person" queries.
    subject_email: Mapped[str] = mapped_column(String(254), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str] = mapped_column(String(64), default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(20), default="")  # web | api | cli | worker


class AuditChainHead(Base):
    """One row: the last entry's id and hash. Updated first by every writer, which
    serialises writers on PostgreSQL (row lock) and SQLite (the write lock)."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
