"""Email received by the desk: stored raw first, then parsed (desk.services.inbound)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desk.models.base import Base
from desk.models.types import UTCDateTime, utcnow


class InboundMessage(Base):
    """One received email: its raw bytes, what became of it and why."""

    __tablename__ = "inbound_messages"
    __table_args__ = (
        # The processing sweep reads the messages still to parse, oldest first.
        Index("ix_inbound_status_received", "status", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The Message-ID header (or a digest of the raw bytes when it has none): unique, so a
    # redelivery of the same message is stored once.
    message_id: Mapped[str] = mapped_column(String(300), unique=True)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    via: Mapped[str] = mapped_column(String(10))  # smtp | imap
    envelope_from: Mapped[str] = mapped_column(String(300), default="")
    envelope_to: Mapped[str] = mapped_column(Text, default="")
    sender: Mapped[str] = mapped_column(String(300), default="")
    subject: Mapped[str] = mapped_column(String(300), default="")
    # received -> matched | new_case | held | rejected | ignored; held -> matched | rejected.
    status: Mapped[str] = mapped_column(String(20), default="received")
    reason: Mapped[str] = mapped_column(Text, default="")
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), index=True
    )
    # The employer's message it became on the case (matched or new case).
    case_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_messages.id", ondelete="SET NULL"), index=True
    )
    # The trimmed text shown on the case (the full original stays in raw).
    text: Mapped[str] = mapped_column(Text, default="")
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
