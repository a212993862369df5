"""Cases, their messages and their event log."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk.models.base import Base
from desk.models.reference import Authority, Municipality, Need, Team
from desk.models.types import UTCDateTime, utcnow
from desk.models.user import User

if TYPE_CHECKING:
    from desk.models.attachment import Attachment, CaseWorkplace
    from desk.models.routing import CaseCollaborator, CaseFollower


class ReferenceCounter(Base):
    """Last case number used in a year; incremented under a row lock."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


_ACTIVE_SQL = "status IN ('new', 'open', 'waiting')"
_DONE_SQL = "status IN ('resolved', 'closed')"


def _partial(name: str, where: str, *columns: str) -> Index:
    clause = text(where)
    return Index(name, *columns, postgresql_where=clause, sqlite_where=clause)


def _queue_indexes() -> tuple[Index, ...]:
    """Indexes of the queues: open cases by team, assignee, authority and all; done cases."""
    return (
        _partial("ix_cases_open_due", _ACTIVE_SQL, "sla_due_at", "id"),
        _partial("ix_cases_open_created", _ACTIVE_SQL, "created_at", "id"),
        _partial("ix_cases_open_updated", _ACTIVE_SQL, "updated_at", "id"),
        _partial("ix_cases_open_team_due", _ACTIVE_SQL, "team_id", "sla_due_at", "id"),
        _partial("ix_cases_open_team_created", _ACTIVE_SQL, "team_id", "created_at", "id"),
        _partial("ix_cases_open_team_updated", _ACTIVE_SQL, "team_id", "updated_at", "id"),
        _partial("ix_cases_open_assignee_due", _ACTIVE_SQL, "assignee_id", "sla_due_at", "id"),
        _partial("ix_cases_open_authority_due", _ACTIVE_SQL, "authority_slug", "sla_due_at", "id"),
        _partial("ix_cases_done_updated", _DONE_SQL, "updated_at", "id"),
        _partial("ix_cases_done_team_updated", _DONE_SQL, "team_id", "updated_at", "id"),
    )


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("year", "number"),
        Index("ix_cases_queue", "team_id", "status", "created_at"),
        # Reports count the cases received in a period per team.
        Index("ix_cases_created_team", "created_at", "team_id"),
        # The adviser's queues (desk.services.queues): one index per queue and sort, each
        # partial on the statuses the queue lists, ending in id for the keyset cursor.
        *_queue_indexes(),
        # The follow-up sweep reads only the reminders still to send (desk.services.case_work).
        Index(
            "ix_cases_follow_up_due",
            "follow_up_at",
            postgresql_where=text("follow_up_reminded_at IS NULL"),
            sqlite_where=text("follow_up_reminded_at IS NULL"),
        ),
        # The employer's whole picture: a Business ID's cases, newest first.
        Index("ix_cases_business_created", "business_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    business_id: Mapped[str] = mapped_column(String(9), index=True)
    organisation_name: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(40), default="")
    municipality_code: Mapped[str | None] = mapped_column(ForeignKey("municipalities.code"))
    municipality_text: Mapped[str] = mapped_column(String(100), default="")
    need_code: Mapped[str] = mapped_column(ForeignKey("needs.code"))
    affected_employees: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(20), default="new")
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    authority_slug: Mapped[str] = mapped_column(ForeignKey("authorities.slug"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    routing_rule: Mapped[str] = mapped_column(String(80))
    routing_reason: Mapped[str] = mapped_column(Text)
    # The sha256 (hex) of the employer's private token (desk.services.case_tokens): the raw
    # token is shown once, at submission, and never stored.
    employer_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The portal: the organisation (by Business ID) and the contact person who submitted.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # SLA sweep (desk.services.sla): when to look at the case next (NULL: no clock running),
    # and the nearest due time of its running targets (the queue's "nearest due" order).
    sla_next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    sla_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The nearest warning time of the running targets, kept beside sla_due_at: a case is at
    # risk from sla_warn_at until sla_due_at, breached after (desk.domain.queues.sla_state).
    sla_warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The previous system's id of a case brought in by `desk import cases` (NULL for cases
    # opened on this desk): the key that makes importing a file twice harmless.
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    # A duplicate merged into another case (desk.services.merge): its reference still
    # resolves and leads there. Never a chain: a merged case is never a merge target.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)

    # Working a case: how it was resolved (desk.domain.case_work.ResolutionCategory), and
    # the adviser's follow-up date with when its reminder went out (NULL: not yet).
    resolution_category: Mapped[str | None] = mapped_column(String(30))
    follow_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    follow_up_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The one-time key of the web form that sent the request: a double click or a resubmission
    # finds the case already made (unique, so two racing posts make one case).
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)

    team: Mapped[Team] = relationship(lazy="joined")
    authority: Mapped[Authority] = relationship(lazy="joined")
    need: Mapped[Need] = relationship(lazy="joined")
    municipality: Mapped[Municipality | None] = relationship(lazy="joined")
    merged_into: Mapped[Case | None] = relationship(remote_side="Case.id", lazy="select")
    assignee: Mapped[User | None] = relationship(lazy="joined")
    messages: Mapped[list[CaseMessage]] = relationship(
        back_populates="case", order_by="CaseMessage.id", lazy="selectin"
    )
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.id", lazy="selectin"
    )
    # Routing: key-account advisers following the case, other authorities' teams helping.
    followers: Mapped[list[CaseFollower]] = relationship(
        back_populates="case", lazy="selectin", cascade="all, delete-orphan"
    )
    collaborators: Mapped[list[CaseCollaborator]] = relationship(
        back_populates="case", lazy="selectin", cascade="all, delete-orphan"
    )

    # Loaded when read (the case pages only), never with lists of cases.
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="case", order_by="Attachment.id", lazy="select"
    )
    workplaces: Mapped[list[CaseWorkplace]] = relationship(
        order_by="CaseWorkplace.position", lazy="select", cascade="all, delete-orphan"
    )

    # The raw private token, only on the instance that made it (store_case); never stored.
    if TYPE_CHECKING:
        raw_token: str | None
    raw_token = None

    def municipality_label(self, language: str) -> str:
        if self.municipality is not None:
            return f"{self.municipality.name(language)} ({self.municipality.code})"
        return self.municipality_text or "—"


class CaseMessage(Base):
    """A public message (employer or staff) or an internal note (staff only)."""

    __tablename__ = "case_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author_kind: Mapped[str] = mapped_column(String(20))  # employer | staff
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    visibility: Mapped[str] = mapped_column(String(20))  # public | internal
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship(lazy="joined")


class CaseEvent(Base):
    """Audit trail: who did what to a case, and when."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    actor_kind: Mapped[str] = mapped_column(String(20))  # employer | staff | system
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # web | api | cli | worker: how the change reached the desk (empty for older events).
    channel: Mapped[str] = mapped_column(String(20), default="", server_default="")
    kind: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(lazy="joined")
