"""The report's optional filters on cases (team, need, municipality, language, adviser).

One condition on `Case`, written once, so that the figures, their case rows and the trend
narrow the same cases. Unknown values are FieldErrors (field: invalid), never a silent empty
report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from sqlalchemy import and_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from desk.domain.errors import FieldErrors
from desk.domain.reports import Period, PeriodError, period
from desk.models import Case, Municipality, Need, Team, User, team_members

LANGUAGES: Final = ("fi", "sv", "en")


@dataclass(frozen=True)
class ReportFilters:
    """Which cases the report counts, beyond period and authority (None: any)."""

    team: str | None = None
    need: str | None = None
    municipality: str | None = None
    language: str | None = None
    adviser: int | None = None

    @property
    def empty(self) -> bool:
        """No filter set."""
        return self == ReportFilters()


def validate(
    session: Session, filters: ReportFilters | None, team_ids: set[int] | None = None
) -> None:
    """FieldErrors naming every filter whose value is not known, or a team outside `team_ids`
    (the actor's readable teams, None: any) (code: invalid)."""
    if filters is None:
        return
    errors: dict[str, str] = {}
    if filters.team is not None:
        team_id = session.scalar(select(Team.id).where(Team.slug == filters.team))
        if team_id is None or (team_ids is not None and team_id not in team_ids):
            errors["team"] = "invalid"
    if filters.need is not None and session.get(Need, filters.need) is None:
        errors["need"] = "invalid"
    if filters.municipality is not None and session.get(Municipality, filters.municipality) is None:
        errors["municipality"] = "invalid"
    if filters.language is not None and filters.language not in LANGUAGES:
        errors["language"] = "invalid"
    if filters.adviser is not None and session.get(User, filters.adviser) is None:
        errors["adviser"] = "invalid"
    if errors:
        raise FieldErrors(errors)


def case_condition(filters: ReportFilters | None) -> ColumnElement[bool]:
    """The filters as one SQL condition on cases (true when none is set)."""
    if filters is None or filters.empty:
        return true()
    parts: list[ColumnElement[bool]] = []
    if filters.team is not None:
        parts.append(Case.team_id.in_(select(Team.id).where(Team.slug == filters.team)))
    if filters.need is not None:
        parts.append(Case.need_code == filters.need)
    if filters.municipality is not None:
        parts.append(Case.municipality_code == filters.municipality)
    if filters.language is not None:
        parts.append(Case.language == filters.language)
    if filters.adviser is not None:
        parts.append(Case.assignee_id == filters.adviser)
    return and_(*parts)


@dataclass(frozen=True)
class Choice:
    """One option of a filter's select: its value and its name in the reader's language."""

    value: str
    name: str


@dataclass(frozen=True)
class FilterChoices:
    """The options of each filter's select."""

    teams: list[Choice]
    needs: list[Choice]
    municipalities: list[Choice]
    advisers: list[Choice]


def filter_choices(
    session: Session, language: str, team_ids: set[int] | None = None
) -> FilterChoices:
    """Teams (of `team_ids`, None: all), needs, municipalities and the active members of those
    teams, named in `language`."""
    team_query = select(Team).order_by(Team.slug)
    if team_ids is not None:
        team_query = team_query.where(Team.id.in_(team_ids))
    teams = session.scalars(team_query)
    needs = session.scalars(select(Need).order_by(Need.position, Need.code))
    municipalities = session.scalars(select(Municipality).order_by(Municipality.name_fi))
    # Advisers are staff who are members of a team (only they are assigned cases).
    members = select(team_members.c.user_id)
    if team_ids is not None:
        members = members.where(team_members.c.team_id.in_(team_ids))
    advisers = session.scalars(
        select(User).where(User.id.in_(members), User.active.is_(True)).order_by(User.name)
    )
    return FilterChoices(
        [Choice(t.slug, t.name(language)) for t in teams],
        [Choice(n.code, n.name(language)) for n in needs],
        [Choice(m.code, m.name(language)) for m in municipalities],
        [Choice(str(u.id), u.name) for u in advisers],
    )


def checked_period(date_from: date, date_to: date) -> Period:
    """The report period's instants; FieldErrors (from/to: out_of_range, before_from) else."""
    try:
        return period(date_from, date_to)
    except PeriodError as exc:
        raise FieldErrors({exc.field: exc.code}) from exc
