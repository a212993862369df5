"""Staff accounts (advisers, managers, administrators) and team membership."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk.models.base import Base
from desk.models.reference import Team
from desk.models.types import UTCDateTime, utcnow

team_members = Table(
    "team_members",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))  # adviser | manager | admin
    authority_slug: Mapped[str] = mapped_column(ForeignKey("authorities.slug"))
    languages: Mapped[str] = mapped_column(String(20), default="fi")  # comma-separated
    ui_language: Mapped[str] = mapped_column(String(2), default="fi")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Marked absent (by themself or an administrator): automatic assignment skips them.
    absent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Sign-in security. A session carries the version it was signed in under; bumping it
    # (sign-out, deactivation, a new password) ends every session of the user at once.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # TOTP second factor (RFC 6238): the base32 secret, and the last time step used, so a
    # code is accepted once.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    teams: Mapped[list[Team]] = relationship(secondary=team_members, lazy="selectin")

    # Flask-Login's protocol, kept here so models stay free of Flask imports.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class RecoveryCode(Base):
    """A single-use recovery code of the second factor; only its SHA-256 is stored."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
