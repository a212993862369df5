"""The names the report pages show next to the report's slugs."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.models import Authority, Team


def authorities(session: Session) -> list[Authority]:
    """Every authority, by slug (the report's order)."""
    return list(session.scalars(select(Authority).order_by(Authority.slug)))


def teams(session: Session) -> list[Team]:
    """Every team, by slug (the report's order); `regional` tells the regional teams apart."""
    return list(session.scalars(select(Team).order_by(Team.slug)))
