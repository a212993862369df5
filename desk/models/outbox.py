"""Transactional outbox: side effects written with the change that causes them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desk.models.base import Base
from desk.models.types import UTCDateTime, utcnow


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_case", "case_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))  # e.g. email.case_received
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # pending -> dispatched -> sending -> delivered, or dead after too many attempts;
    # suppressed (a preference or opt-out said no) and discarded (by an administrator) end it.
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The case it is about (copied from the payload), for the case page's "what was sent".
    case_id: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(20), default="email", server_default="email")
    # Who it went to (an address, a person, a webhook), filled in when it is prepared.
    recipient: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # The Celery task holding the "sending" lease; the same task redelivered after its
    # worker died may take the lease over at once.
    lease_owner: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # At most one row per key (e.g. one daily digest per person and day).
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # The web request (or task) that caused it: its delivery task logs under the same id.
    request_id: Mapped[str | None] = mapped_column(String(128))
    # What an administrator did (retry, discard), or why it was suppressed.
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
