"""Operations: the record of staff changes, and employers imported from another register."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from desk.models.base import Base
from desk.models.types import UTCDateTime, utcnow


class StaffChange(Base):
    """Who changed which staff member or team, what, when (folded into the audit log later)."""

    __tablename__ = "staff_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Null: the CLI on the server (no staff member signed in).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(20))  # web | cli
    action: Mapped[str] = mapped_column(String(40))  # user_created, user_disabled, ...
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Employer(Base):
    """An employer known from the employer register (imported by `desk import employers`)."""

    __tablename__ = "employers"

    business_id: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    municipality_code: Mapped[str | None] = mapped_column(ForeignKey("municipalities.code"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
