"""A stamp that changes whenever rarely changing data changes (desk.services.stable_data)."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from desk.models.base import Base


class DataStamp(Base):
    """One row per kind of cached data; its token is replaced (never incremented, so a
    rolled-back change can never be mistaken for another) with every change of that data."""

    __tablename__ = "data_stamps"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
