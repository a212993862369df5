"""Public-facing records: a case's own email choice and the satisfaction survey's answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desk.models.base import Base
from desk.models.types import UTCDateTime, utcnow


class CaseEmailChoice(Base):
    """The email choice made for one case through a link sent for that case (no row: the
    person's choice, else all emails)."""

    __tablename__ = "case_email_choices"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    choice: Mapped[str] = mapped_column(String(20))  # all | necessary
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SatisfactionResponse(Base):
    """One answer to the satisfaction survey; at most one per case (the unique case_id)."""

    __tablename__ = "satisfaction_responses"
    __table_args__ = (Index("ix_satisfaction_responses_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    score: Mapped[int] = mapped_column(SmallInteger)  # 1..5
    comment: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
