"""Reference data: authorities, municipalities, the needs catalogue and teams."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk.models.base import Base


class Authority(Base):
    __tablename__ = "authorities"

    slug: Mapped[str] = mapped_column(String(40), primary_key=True)
    official_name: Mapped[str] = mapped_column(String(200))
    name_fi: Mapped[str] = mapped_column(String(200))
    name_sv: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))

    def name(self, language: str) -> str:
        return str(getattr(self, f"name_{language}", self.name_fi))


class Municipality(Base):
    __tablename__ = "municipalities"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name_fi: Mapped[str] = mapped_column(String(100))
    name_sv: Mapped[str] = mapped_column(String(100))
    authority_slug: Mapped[str] = mapped_column(ForeignKey("authorities.slug"))

    def name(self, language: str) -> str:
        return self.name_sv if language == "sv" else self.name_fi


class Need(Base):
    __tablename__ = "needs"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name_fi: Mapped[str] = mapped_column(String(200))
    name_sv: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    hint_fi: Mapped[str] = mapped_column(String(500), default="")
    hint_sv: Mapped[str] = mapped_column(String(500), default="")
    hint_en: Mapped[str] = mapped_column(String(500), default="")

    def name(self, language: str) -> str:
        return str(getattr(self, f"name_{language}", self.name_fi))

    def hint(self, language: str) -> str:
        return str(getattr(self, f"hint_{language}", self.hint_fi))


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    authority_slug: Mapped[str] = mapped_column(ForeignKey("authorities.slug"))
    regional: Mapped[bool] = mapped_column(Boolean, default=False)
    name_fi: Mapped[str] = mapped_column(String(200))
    name_sv: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))

    authority: Mapped[Authority] = relationship(lazy="joined")

    def name(self, language: str) -> str:
        return str(getattr(self, f"name_{language}", self.name_fi))
