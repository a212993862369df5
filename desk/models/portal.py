"""The employer portal: organisations by Business ID, their contact persons, and the
single-use sign-in tokens of the magic link (only their hash is stored)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk.models.base import Base
from desk.models.types import UTCDateTime, utcnow


class Organisation(Base):
    """An employer, known by its Business ID (Y-tunnus)."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[str] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="organisation", order_by="Contact.id", lazy="select"
    )


class Contact(Base):
    """A contact person, one per (lower-cased) address; verified once they signed in.

    language is set only when the person chose a language in the portal (NULL: their emails
    keep the case's language). removed_at: an organisation admin took them off the
    organisation; they lose the organisation's cases at once (not their own).
    """

    __tablename__ = "contacts"
    __table_args__ = (Index("ix_contacts_organisation", "organisation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str | None] = mapped_column(String(2))
    is_org_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation | None] = relationship(
        back_populates="contacts", lazy="joined"
    )

    @property
    def active(self) -> bool:
        """Still one of the organisation's contacts (not removed)."""
        return self.removed_at is None


class SignInToken(Base):
    """One magic-link request: the address, when it expires, when it was used (single use).

    No secret is stored: the link carries this row's id signed with the app's secret key
    (signed_links.sign_in_token), made when the email is built.
    """

    __tablename__ = "sign_in_tokens"
    __table_args__ = (Index("ix_sign_in_tokens_email_created", "email", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
