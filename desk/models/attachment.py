"""Files attached to a case (with the request or a message), and a request's workplaces."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk.models.base import Base
from desk.models.reference import Municipality
from desk.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from desk.models.case import Case, CaseMessage


class Attachment(Base):
    """One stored file: the bytes live in the storage under `storage_key`, never in the web root."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_case", "case_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    # NULL: sent with the request itself; else the message it came with.
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_messages.id", ondelete="CASCADE"), index=True
    )
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    # The sender's name, sanitised, used only in Content-Disposition.
    name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))  # detected from the content
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_kind: Mapped[str] = mapped_column(String(20))  # employer | staff
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="attachments")
    message: Mapped[CaseMessage | None] = relationship(lazy="select")


class CaseWorkplace(Base):
    """A workplace the employer named on the request, in their order; the first routed it."""

    __tablename__ = "case_workplaces"
    __table_args__ = (Index("ix_case_workplaces_case", "case_id", "position", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # 1 = the workplace that routed the case
    municipality_code: Mapped[str | None] = mapped_column(
        ForeignKey("municipalities.code"), index=True
    )
    municipality_text: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(200), default="")

    municipality: Mapped[Municipality | None] = relationship(lazy="joined")

    def municipality_label(self, language: str) -> str:
        if self.municipality is not None:
            return f"{self.municipality.name(language)} ({self.municipality.code})"
        return self.municipality_text or "—"
