"""Links between related cases: an unordered pair, stored with the smaller id first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk.models.base import Base
from desk.models.case import Case
from desk.models.types import UTCDateTime, utcnow
from desk.models.user import User


class CaseLink(Base):
    """Two related cases, shown on both; never a case with itself, each pair once."""

    __tablename__ = "case_links"
    __table_args__ = (
        UniqueConstraint("case_low_id", "case_high_id", name="uq_case_links_pair"),
        CheckConstraint("case_low_id < case_high_id", name="ordered"),
        # The unique pair serves lookups by the low id; this one those by the high id.
        Index("ix_case_links_high", "case_high_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_low_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    case_high_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case_low: Mapped[Case] = relationship(foreign_keys=[case_low_id])
    case_high: Mapped[Case] = relationship(foreign_keys=[case_high_id])
    created_by: Mapped[User | None] = relationship(lazy="joined")
