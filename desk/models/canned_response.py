"""A team's canned responses: ready answers in Finnish, Swedish and English."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk.models.base import Base
from desk.models.reference import Team
from desk.models.types import UTCDateTime, utcnow
from desk.models.user import User


class CannedResponse(Base):
    """One ready answer of a team; the Finnish title and body are required."""

    __tablename__ = "canned_responses"
    # The picker and the management page list a team's responses by title.
    __table_args__ = (Index("ix_canned_responses_team", "team_id", "active", "title_fi"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    title_fi: Mapped[str] = mapped_column(String(200))
    title_sv: Mapped[str] = mapped_column(String(200), default="")
    title_en: Mapped[str] = mapped_column(String(200), default="")
    body_fi: Mapped[str] = mapped_column(Text)
    body_sv: Mapped[str] = mapped_column(Text, default="")
    body_en: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    team: Mapped[Team] = relationship(lazy="joined")
    updated_by: Mapped[User | None] = relationship(lazy="joined")

    def title(self, language: str) -> str:
        """The title in the language, else the Finnish one."""
        return str(getattr(self, f"title_{language}", "") or self.title_fi)

    def bodies(self) -> dict[str, str]:
        """The body per language (empty where the team wrote none)."""
        return {"fi": self.body_fi, "sv": self.body_sv, "en": self.body_en}
