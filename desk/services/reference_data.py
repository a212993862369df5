"""Load the region's reference data from config/ into the database, idempotently."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.domain import reference_data as ref
from desk.models import Authority, Municipality, Need, Team
from desk.services.stable_data import cached


def read_reference_file(path: str | Path) -> dict[str, Any]:
    """Parse the reference-data TOML file."""
    with Path(path).open("rb") as fh:
        return tomllib.load(fh)


def load_reference_data(session: Session, path: str | Path) -> None:
    """Insert or update authorities, municipalities, needs and teams from the file."""
    data = read_reference_file(path)
    for row in data["authorities"]:
        _upsert(session, Authority, row["slug"], row)
    session.flush()
    for row in data["municipalities"]:
        values = {**row, "authority_slug": row["authority"]}
        _upsert(session, Municipality, row["code"], values)
    for position, row in enumerate(data["needs"]):
        _upsert(session, Need, row["code"], {**row, "position": position})
    for row in data["teams"]:
        team = session.scalar(select(Team).where(Team.slug == row["slug"]))
        values = {**row, "authority_slug": row["authority"]}
        if team is None:
            team = Team(slug=row["slug"])
            session.add(team)
        _assign(team, values)
    session.commit()


def _upsert(session: Session, model: Any, key: str, values: dict[str, Any]) -> None:
    obj = session.get(model, key)
    if obj is None:
        obj = model()
        session.add(obj)
    _assign(obj, values)


def _assign(obj: Any, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if hasattr(type(obj), name) and name != "authority":
            setattr(obj, name, value)


def snapshot(session: Session) -> ref.ReferenceData:
    """The reference data as plain domain values, for routing (the process's copy while the
    data is unchanged: desk.services.stable_data)."""
    return cached(session, "reference", _read_snapshot)


def team_ids(session: Session) -> dict[str, int]:
    """Team id by slug (the process's copy while teams are unchanged)."""
    return dict(cached(session, "team_ids", _read_team_ids))


def _read_team_ids(session: Session) -> dict[str, int]:
    return {slug: team_id for team_id, slug in session.execute(select(Team.id, Team.slug))}


def _read_snapshot(session: Session) -> ref.ReferenceData:
    authorities = {
        a.slug: ref.Authority(a.slug, {"fi": a.name_fi, "sv": a.name_sv, "en": a.name_en})
        for a in session.scalars(select(Authority))
    }
    municipalities = {
        m.code: ref.Municipality(m.code, m.name_fi, m.name_sv, m.authority_slug)
        for m in session.scalars(select(Municipality))
    }
    teams = {
        t.slug: ref.Team(
            t.slug,
            t.authority_slug,
            t.regional,
            {"fi": t.name_fi, "sv": t.name_sv, "en": t.name_en},
        )
        for t in session.scalars(select(Team))
    }
    needs = {
        n.code: ref.Need(n.code, {"fi": n.name_fi, "sv": n.name_sv, "en": n.name_en})
        for n in session.scalars(select(Need).order_by(Need.position))
    }
    return ref.ReferenceData(authorities, municipalities, teams, needs)


def list_needs(session: Session) -> list[Need]:
    """The needs catalogue in its configured order."""
    return list(session.scalars(select(Need).order_by(Need.position)))


def list_municipalities(session: Session) -> list[Municipality]:
    """The ten municipalities, Lahti first then alphabetically (Finnish names)."""
    rows = list(session.scalars(select(Municipality)))
    return sorted(rows, key=lambda m: (m.authority_slug != "lahti", m.name_fi))
