"""Notifications beyond the outbox row: the staff bell, delivery choices, employer opt-outs
and webhook subscriptions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk.models.base import Base
from desk.models.case import Case
from desk.models.types import UTCDateTime, utcnow


class Notification(Base):
    """One in-app notification for one staff member (the bell), possibly also emailed."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_inbox", "user_id", "read_at", "id"),
        Index("ix_notifications_digest", "digest_state", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(60))  # the outbox kind, e.g. notify.new_case
    event_type: Mapped[str] = mapped_column(String(60))  # catalogue key, e.g. new_case
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The outbox row that emails it, or the row it was made from; unique, so a delivery that
    # runs twice finds the notification it already made.
    outbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox.id", ondelete="SET NULL"), unique=True
    )
    # "" (not in a digest) | "pending" (goes into the next daily digest) | "sent"
    digest_state: Mapped[str] = mapped_column(String(20), default="")
    digest_outbox_id: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case | None] = relationship(lazy="joined")


class NotificationPreference(Base):
    """A staff member's delivery choice for one event type (no row: the type's default)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "event_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(60))
    delivery: Mapped[str] = mapped_column(String(20))  # immediate | digest | in_app
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EmployerOptOut(Base):
    """An employer address that wants only the legally necessary messages."""

    __tablename__ = "employer_opt_outs"

    email: Mapped[str] = mapped_column(String(254), primary_key=True)  # lower-case
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookSubscription(Base):
    """Another system that hears of case events at a URL an administrator configured."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(Text)
    # Signs every body (HMAC-SHA256); the receiver holds the same value.
    secret: Mapped[str] = mapped_column(String(128))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: every event
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
