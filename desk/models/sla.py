"""Service levels: versioned policies, each case's targets, sweep events, calendars."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk.models.base import Base
from desk.models.reference import Need
from desk.models.types import UTCDateTime, utcnow


class SlaPolicy(Base):
    """One version of the targets for a need (and optionally a priority; "" means any).

    Versions are never edited: a change adds the next version, which applies to new cases.
    """

    __tablename__ = "sla_policies"
    __table_args__ = (UniqueConstraint("need_code", "priority", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_code: Mapped[str] = mapped_column(ForeignKey("needs.code"))
    priority: Mapped[str] = mapped_column(String(20), default="", server_default="")
    version: Mapped[int] = mapped_column(Integer)
    first_response_minutes: Mapped[int] = mapped_column(Integer)
    resolution_minutes: Mapped[int] = mapped_column(Integer)
    warning_percent: Mapped[int] = mapped_column(Integer, default=75)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    need: Mapped[Need] = relationship(lazy="joined")


class CaseSlaTarget(Base):
    """A target of one case, with its clock and what the sweep has recorded.

    The clock counts business time while running: `elapsed_minutes` is what ran before
    `running_since` (NULL while stopped). `due_at` is the due time computed when the clock
    last started (kept while paused, frozen when met); the minutes and warning threshold are
    copied from the policy version the case was opened under.
    """

    __tablename__ = "case_sla_targets"
    __table_args__ = (
        UniqueConstraint("case_id", "target"),
        # Reports: targets completed in a period, and targets due in a period.
        Index("ix_case_sla_targets_met_at", "met_at"),
        Index("ix_case_sla_targets_due_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(20))  # first_response | resolution
    policy_id: Mapped[int] = mapped_column(ForeignKey("sla_policies.id"), index=True)
    target_minutes: Mapped[int] = mapped_column(Integer)
    warning_percent: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    running_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    elapsed_minutes: Mapped[float] = mapped_column(Float, default=0.0)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    policy: Mapped[SlaPolicy] = relationship(lazy="joined")


class SlaEvent(Base):
    """A warning, breach or escalation; unique per case and target so no sweep repeats one."""

    __tablename__ = "sla_events"
    __table_args__ = (
        UniqueConstraint("case_id", "target", "kind"),
        Index("ix_sla_events_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))  # warning | breach | escalation
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ClosureDay(Base):
    """A local closure day: of one authority, or of the whole desk when authority is NULL."""

    __tablename__ = "sla_closure_days"
    __table_args__ = (UniqueConstraint("day", "authority_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    authority_slug: Mapped[str | None] = mapped_column(ForeignKey("authorities.slug"))
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class BusinessHoursRow(Base):
    """An authority's weekly business hours, {"mon": "08:00-16:00", ...} (from config/sla.toml)."""

    __tablename__ = "sla_business_hours"

    authority_slug: Mapped[str] = mapped_column(ForeignKey("authorities.slug"), primary_key=True)
    hours: Mapped[dict[str, str]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
