"""The open backlog: the cases open now, by age and by the state of their resolution target.

Ages are calendar days since the case was received (24-hour days, not business days: business
time would need the calendar in SQL), in the buckets of AGE_BUCKETS. The state of the
resolution target, first that applies: breached (running past its due instant, or met late),
paused (its clock stands: waiting for the employer), at risk (the sweep has warned, or the
stored elapsed minutes reached the warning threshold), else on track. A case without a
resolution target counts as on track.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from desk.domain.errors import FieldErrors
from desk.domain.sla import Target
from desk.models import Authority, Case, CaseSlaTarget, Team, User, utcnow
from desk.services.access import Actor, report_team_ids
from desk.services.reports.filters import ReportFilters, case_condition, validate

T = CaseSlaTarget
OPEN_STATUSES: Final = ("new", "open", "waiting")

# (key, lowest age in days, highest age in days or None): 0-2, 3-7, 8-14, 15-30, over 30.
AGE_BUCKETS: Final = (("0-2", 0, 2), ("3-7", 3, 7), ("8-14", 8, 14), ("15-30", 15, 30))
AGE_KEYS: Final = (*(key for key, _, _ in AGE_BUCKETS), "over-30")
STATES: Final = ("on_track", "at_risk", "breached", "paused")


@dataclass(frozen=True)
class Backlog:
    """Open cases per (age bucket, state), every pair present (zero when none)."""

    counts: dict[tuple[str, str], int]

    def row(self, age: str) -> list[int]:
        """The counts of one age bucket in STATES order."""
        return [self.counts[(age, state)] for state in STATES]

    def state_total(self, state: str) -> int:
        """Open cases in one state, of every age."""
        return sum(self.counts[(age, state)] for age in AGE_KEYS)

    @property
    def total(self) -> int:
        """Every open case counted."""
        return sum(self.counts.values())


def _scope(
    session: Session, actor: Actor, authority: str | None, filters: ReportFilters | None
) -> ColumnElement[bool]:
    """Open cases of the authority's teams (any when None) readable by the actor that match
    the filters."""
    readable = report_team_ids(actor)
    if authority is not None and session.get(Authority, authority) is None:
        raise FieldErrors({"authority": "invalid"})
    validate(session, filters, readable)
    condition = and_(Case.status.in_(OPEN_STATUSES), case_condition(filters))
    if readable is not None:
        condition = and_(condition, Case.team_id.in_(readable))
    if authority is not None:
        hosted = select(Team.id).where(Team.authority_slug == authority)
        condition = and_(condition, Case.team_id.in_(hosted))
    return condition


def _state(now: datetime) -> ColumnElement[str]:
    running_late = and_(
        T.met_at.is_(None), T.paused_at.is_(None), T.due_at.is_not(None), T.due_at < now
    )
    met_late = and_(T.met_at.is_not(None), T.met_at > T.due_at)
    warned = or_(
        T.warned_at.is_not(None),
        T.elapsed_minutes * 100 >= T.warning_percent * T.target_minutes,
    )
    return case(
        (or_(running_late, met_late), "breached"),
        (T.paused_at.is_not(None), "paused"),
        (warned, "at_risk"),
        else_="on_track",
    )


def _age(now: datetime) -> ColumnElement[str]:
    # A case is in the bucket "low-high" when it was received more than `high + 1` days
    # before now at the latest, i.e. after now - (high + 1) days.
    return case(
        *((Case.created_at > now - timedelta(days=high + 1), key) for key, _, high in AGE_BUCKETS),
        else_="over-30",
    )


def open_backlog(
    session: Session,
    actor: Actor,
    authority: str | None = None,
    now: datetime | None = None,
    *,
    filters: ReportFilters | None = None,
) -> Backlog:
    """The open cases (new, open, waiting) by age bucket and resolution state, counted in SQL."""
    condition = _scope(session, actor, authority, filters)
    now = now or utcnow()
    age, state = _age(now), _state(now)
    stmt = (
        select(age, state, func.count())
        .select_from(Case)
        .outerjoin(T, and_(T.case_id == Case.id, T.target == Target.RESOLUTION.value))
        .where(condition)
        .group_by(age, state)
    )
    counts = {(a, s): 0 for a in AGE_KEYS for s in STATES}
    for age_key, state_key, count in session.execute(stmt):
        counts[(str(age_key), str(state_key))] = int(count)
    return Backlog(counts)


@dataclass(frozen=True)
class Workload:
    """One adviser's open cases, and how many of them have a breached resolution target."""

    user_id: int
    name: str
    open: int
    breached: int


def workload(
    session: Session,
    actor: Actor,
    authority: str | None = None,
    now: datetime | None = None,
    *,
    filters: ReportFilters | None = None,
) -> list[Workload]:
    """Open cases per assignee of the scope (unassigned cases left out), most open first."""
    condition = _scope(session, actor, authority, filters)
    now = now or utcnow()
    breached = func.coalesce(func.sum(case((_state(now) == "breached", 1), else_=0)), 0)
    stmt = (
        select(User.id, User.name, func.count(Case.id), breached)
        .select_from(Case)
        .join(User, User.id == Case.assignee_id)
        .outerjoin(T, and_(T.case_id == Case.id, T.target == Target.RESOLUTION.value))
        .where(condition)
        .group_by(User.id, User.name)
        .order_by(func.count(Case.id).desc(), User.name)
    )
    return [
        Workload(int(uid), str(name), int(count), int(late))
        for uid, name, count, late in session.execute(stmt)
    ]
