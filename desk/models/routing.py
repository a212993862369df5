"""Routing: versioned rule sets, key-account advisers, followers, collaborators, team settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk.models.base import Base
from desk.models.case import Case
from desk.models.reference import Team
from desk.models.types import UTCDateTime, utcnow
from desk.models.user import User


class RoutingRuleSetVersion(Base):
    """One immutable version of the ordered routing rules.

    Every change an administrator saves is a new version (who, when, what); the newest
    version with published_at set is the one routing uses; newer unpublished ones are the
    draft.
    """

    __tablename__ = "routing_rule_set_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # seeded | added | edited | moved | enabled | disabled | deleted | discarded | restored
    action: Mapped[str] = mapped_column(String(20))
    rule_id: Mapped[str] = mapped_column(String(80), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id], lazy="joined")
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id], lazy="joined")


class KeyAccount(Base):
    """An employer's (Business ID) named key-account adviser: its single point of contact."""

    __tablename__ = "key_accounts"

    business_id: Mapped[str] = mapped_column(String(9), primary_key=True)
    adviser_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    named_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    adviser: Mapped[User] = relationship(foreign_keys=[adviser_id], lazy="joined")


class CaseFollower(Base):
    """A staff member who follows a case they do not work on (notified, may read)."""

    __tablename__ = "case_followers"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    reason: Mapped[str] = mapped_column(String(20), default="key_account")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="followers")
    user: Mapped[User] = relationship(lazy="joined")


class CaseCollaborator(Base):
    """Another authority's team added to a case: may read it and write internal notes."""

    __tablename__ = "case_collaborators"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="collaborators")
    team: Mapped[Team] = relationship(lazy="joined")


class TeamRoutingSettings(Base):
    """How a team assigns its new cases; a team without a row leaves them in its queue."""

    __tablename__ = "team_routing_settings"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    # queue (advisers claim) | round_robin | least_open
    assignment_mode: Mapped[str] = mapped_column(String(20), default="queue")
    # Only advisers who speak the case's language are assigned.
    requires_language: Mapped[bool] = mapped_column(Boolean, default=False)
    # Round robin: who was assigned last (the next present member after them is next).
    last_assigned_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
