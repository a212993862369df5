"""SLA clocks of cases: started, paused, resumed and met with the case; the sweep; views.

The case services call in here inside their own transaction (they commit):
- start_clocks on submit: both targets start at the next open instant of the case
  authority's calendar, under the newest policy version for the need;
- first_response_given on the first public staff reply;
- sync_with_status after every status change: clocks run while the case is new or open,
  stop while it waits for the employer or is resolved/closed; resolving meets the
  resolution target and reopening counts it again.

Each change recomputes the case's `sla_next_check_at` (the earliest warning, due or
escalation instant of its running targets) and `sla_due_at` (the nearest due time). The
sweep reads only cases whose check is due, through the index on `sla_next_check_at`, in
batches locked with SKIP LOCKED on PostgreSQL; events are unique per case, target and kind,
so two sweeps at once never record or notify anything twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, insert, or_, select
from sqlalchemy.orm import Session, lazyload

from desk.db import INSERT_PAGE_ROWS, for_update, insert_for
from desk.domain.business_calendar import BusinessCalendar
from desk.domain.notification_catalogue import Kind
from desk.domain.sla import (
    Clock,
    EventKind,
    Flags,
    SlaState,
    Target,
    clocks_run,
    due_events,
    next_check,
    resolution_met,
    store_clock,
)
from desk.models import Case, CaseEvent, CaseSlaTarget, SlaEvent, Team, User, team_members, utcnow
from desk.services import outbox
from desk.services.access import Role
from desk.services.sla_policies import (
    Calendars,
    load_calendars,
    policy_for_new_case,
    policy_values,
)

TARGETS = (Target.FIRST_RESPONSE, Target.RESOLUTION)
MINUTE = timedelta(minutes=1)
# The outbox kind of each event's email (its template and delivery rules: the catalogue).
EMAIL_KINDS = {
    EventKind.WARNING: Kind.SLA_WARNING,
    EventKind.BREACH: Kind.SLA_BREACH,
    EventKind.ESCALATION: Kind.SLA_ESCALATION,
}


# --- rows <-> domain clocks ------------------------------------------------------------------


def _clock(row: CaseSlaTarget) -> Clock:
    return Clock(
        target_minutes=row.target_minutes,
        warning_percent=row.warning_percent,
        elapsed=timedelta(minutes=row.elapsed_minutes),
        running_since=row.running_since,
        met_at=row.met_at,
    )


def _flags(row: CaseSlaTarget) -> Flags:
    return Flags(
        warned=row.warned_at is not None,
        breached=row.breached_at is not None,
        escalated=row.escalated_at is not None,
    )


def _store(row: CaseSlaTarget, clock: Clock, calendar: BusinessCalendar, now: datetime) -> None:
    store_clock(row, clock, calendar, now)


def _reschedule(case: Case, rows: Iterable[CaseSlaTarget], calendar: BusinessCalendar) -> None:
    checks: list[datetime] = []
    dues: list[datetime] = []
    warnings: list[datetime] = []
    for row in rows:
        clock = _clock(row)
        check = next_check(clock, _flags(row), calendar)
        if check is not None:
            checks.append(check)
        if clock.running and row.due_at is not None:
            dues.append(row.due_at)
            warn = clock.warn_at(calendar)
            warnings.append(min(warn, row.due_at) if warn is not None else row.due_at)
    # An imported case (desk import cases) is history: the sweep never looks at it, even
    # after staff carry on with it here, so it never warns or breaches about the past.
    imported = case.external_id is not None
    case.sla_next_check_at = min(checks) if checks and not imported else None
    case.sla_due_at = min(dues) if dues else None
    case.sla_warn_at = min(warnings) if warnings else None


def _rows(session: Session, case_id: int) -> list[CaseSlaTarget]:
    stmt = select(CaseSlaTarget).where(CaseSlaTarget.case_id == case_id)
    return sorted(session.scalars(stmt), key=lambda row: TARGETS.index(Target(row.target)))


def calendar_of(session: Session, case: Case) -> BusinessCalendar:
    """The business calendar the case is measured on (its authority's)."""
    return load_calendars(session).for_authority(case.authority_slug)


# --- hooks called by desk.services.cases (the caller commits) ------------------------------


def start_clocks(session: Session, case: Case, now: datetime) -> None:
    """A new case: start both targets under the newest policy for its need."""
    policy_row = policy_for_new_case(session, case.need_code)
    policy = policy_values(policy_row)
    calendar = calendar_of(session, case)
    start = calendar.next_open_instant(now)
    rows = []
    for target in TARGETS:
        row = CaseSlaTarget(
            case_id=case.id,
            target=target.value,
            policy_id=policy_row.id,
            target_minutes=policy.minutes(target),
            warning_percent=policy.warning_percent,
            started_at=start,
            elapsed_minutes=0.0,
        )
        _store(row, Clock.start(row.target_minutes, row.warning_percent, start), calendar, now)
        session.add(row)
        rows.append(row)
    _reschedule(case, rows, calendar)


def first_response_given(session: Session, case: Case, now: datetime) -> None:
    """The first public reply from staff meets the first-response target."""
    rows = _rows(session, case.id)
    calendar = calendar_of(session, case)
    for row in rows:
        if row.target == Target.FIRST_RESPONSE and row.met_at is None:
            _store(row, _clock(row).meet(calendar, now), calendar, now)
    if rows:
        _reschedule(case, rows, calendar)


def sync_with_status(session: Session, case: Case, now: datetime) -> None:
    """After a status change: pause, resume, meet or reopen the clocks to match it."""
    rows = _rows(session, case.id)
    if not rows:
        return  # a case from before the SLA engine has no clocks
    calendar = calendar_of(session, case)
    for row in rows:
        clock = _clock(row)
        if row.target == Target.RESOLUTION:
            if resolution_met(case.status):
                clock = clock.meet(calendar, now)
            elif clock.met_at is not None:
                clock = clock.reopen(now)
        clock = clock.resume(now) if clocks_run(case.status) else clock.pause(calendar, now)
        _store(row, clock, calendar, now)
    _reschedule(case, rows, calendar)


# --- what pages show -----------------------------------------------------------------------


@dataclass(frozen=True)
class TargetView:
    """A target as pages show it."""

    target: Target
    state: SlaState
    due_at: datetime | None  # None while the clock is stopped and not met
    met_at: datetime | None
    remaining: timedelta  # business time left; negative when overdue
    target_minutes: int
    elapsed_minutes: float
    policy_version: int
    met_in_time: bool | None


def case_targets(session: Session, case: Case, now: datetime | None = None) -> list[TargetView]:
    """The case's targets with state, due time and remaining business time."""
    rows = _rows(session, case.id)
    if not rows:
        return []
    now = now or utcnow()
    calendar = calendar_of(session, case)
    views = []
    for row in rows:
        clock = _clock(row)
        state = clock.state(calendar, now)
        shows_due = clock.running or clock.met_at is not None or state is SlaState.BREACHED
        views.append(
            TargetView(
                target=Target(row.target),
                state=state,
                due_at=row.due_at if shows_due else None,
                met_at=row.met_at,
                remaining=clock.remaining(calendar, now),
                target_minutes=row.target_minutes,
                elapsed_minutes=clock.elapsed_at(calendar, now) / MINUTE,
                policy_version=row.policy.version,
                met_in_time=clock.met_in_time(),
            )
        )
    return views


# --- the sweep -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepSettings:
    """How much one sweep may do: batches of cases, each in its own transaction."""

    batch_size: int = 200
    max_batches: int = 50


@dataclass
class SweepResult:
    """What a sweep did: cases looked at and events recorded (case id, target, kind)."""

    cases: int = 0
    events: list[tuple[int, str, str]] = field(default_factory=list)
    notifications: int = 0


class _Recipients:
    """Who hears of an event; looked up once per sweep and team or authority."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._members: dict[int, list[int]] = {}
        self._team_managers: dict[int, list[int]] = {}
        self._authority_managers: dict[str, list[int]] = {}
        self._team_authority: dict[int, str] = {}

    def _active(self) -> Select[int]:
        return select(User.id).where(User.active.is_(True)).order_by(User.id)

    def members(self, team_id: int) -> list[int]:
        if team_id not in self._members:
            stmt = self._active().where(
                User.id.in_(select(team_members.c.user_id).where(team_members.c.team_id == team_id))
            )
            self._members[team_id] = list(self._session.scalars(stmt))
        return self._members[team_id]

    def team_managers(self, team_id: int) -> list[int]:
        """Managers who are members of the team, and managers of the team's host authority."""
        if team_id not in self._team_managers:
            if team_id not in self._team_authority:
                team = self._session.get(Team, team_id)
                self._team_authority[team_id] = team.authority_slug if team else ""
            member_ids = select(team_members.c.user_id).where(team_members.c.team_id == team_id)
            stmt = self._active().where(
                User.role == Role.MANAGER,
                or_(
                    User.id.in_(member_ids),
                    User.authority_slug == self._team_authority[team_id],
                ),
            )
            self._team_managers[team_id] = list(self._session.scalars(stmt))
        return self._team_managers[team_id]

    def authority_managers(self, authority: str) -> list[int]:
        if authority not in self._authority_managers:
            stmt = self._active().where(User.role == Role.MANAGER, User.authority_slug == authority)
            self._authority_managers[authority] = list(self._session.scalars(stmt))
        return self._authority_managers[authority]

    def for_event(self, case: Case, kind: EventKind) -> list[int]:
        """Warning: the assignee (else the team); breach: that and the team's managers;
        escalation: the managers of the case's authority."""
        handlers = [case.assignee_id] if case.assignee_id else self.members(case.team_id)
        if kind is EventKind.WARNING:
            chosen = handlers
        elif kind is EventKind.BREACH:
            chosen = [*handlers, *self.team_managers(case.team_id)]
        else:
            chosen = self.authority_managers(case.authority_slug)
        return list(dict.fromkeys(chosen))


def _record_events(
    session: Session, planned: Sequence[tuple[Case, str, EventKind]], now: datetime
) -> list[tuple[Case, str, EventKind]]:
    """Insert a batch's events in a few statements, skipping those that exist; returns the ones
    this call recorded (another sweep that recorded one has notified of it too)."""
    recorded: set[tuple[Any, ...]] = set()
    # Pages of one size are one SQL text, which the driver prepares once (desk.db).
    for start in range(0, len(planned), INSERT_PAGE_ROWS):
        page = planned[start : start + INSERT_PAGE_ROWS]
        stmt = (
            insert_for(session, SlaEvent)
            .values(
                [
                    {"case_id": c.id, "target": t, "kind": k.value, "data": {}, "created_at": now}
                    for c, t, k in page
                ]
            )
            .on_conflict_do_nothing(index_elements=["case_id", "target", "kind"])
            .returning(SlaEvent.case_id, SlaEvent.target, SlaEvent.kind)
        )
        recorded.update(tuple(row) for row in session.execute(stmt))
    return [(c, t, k) for c, t, k in planned if (c.id, t, k.value) in recorded]


_FLAG_COLUMNS = {
    EventKind.WARNING: "warned_at",
    EventKind.BREACH: "breached_at",
    EventKind.ESCALATION: "escalated_at",
}


def _check_case(
    case: Case,
    rows: Sequence[CaseSlaTarget],
    calendar: BusinessCalendar,
    now: datetime,
) -> list[tuple[Case, str, EventKind]]:
    """Mark the case's targets warned/breached/escalated as due now and reschedule its next
    check; returns the events to record (the batch records them together)."""
    planned: list[tuple[Case, str, EventKind]] = []
    if clocks_run(case.status):
        for row in rows:
            kinds = due_events(_clock(row), _flags(row), calendar, now)
            if EventKind.BREACH in kinds and row.warned_at is None:
                row.warned_at = now  # the breach overtook the warning: no warning any more
            for kind in kinds:
                setattr(row, _FLAG_COLUMNS[kind], now)
                planned.append((case, row.target, kind))
    _reschedule(case, rows, calendar)
    return planned


def _announce(
    session: Session,
    recorded: Sequence[tuple[Case, str, EventKind]],
    recipients: _Recipients,
    now: datetime,
    result: SweepResult,
) -> None:
    """The case event and the notifications of each recorded event, in set-based INSERTs."""
    if not recorded:
        return
    events = []
    emails: list[tuple[str, dict[str, Any]]] = []
    for case, target, kind in recorded:
        result.events.append((case.id, target, kind.value))
        events.append(
            {
                "case_id": case.id,
                "kind": f"sla_{kind.value}",
                "actor_kind": "system",
                "actor_id": None,
                "channel": "worker",
                "data": {"target": target},
                "created_at": now,
            }
        )
        for user_id in recipients.for_event(case, kind):
            payload = {"case_id": case.id, "target": target, "user_id": user_id}
            emails.append((EMAIL_KINDS[kind], payload))
    session.execute(insert(CaseEvent), events)
    result.notifications += outbox.enqueue_many(session, emails)


def _due_ids(session: Session, now: datetime, limit: int) -> list[int]:
    stmt = (
        select(Case.id)
        .where(Case.sla_next_check_at <= now)
        .order_by(Case.sla_next_check_at, Case.id)
        .limit(limit)
    )
    # A second sweep skips the cases this one holds instead of waiting for them.
    return list(session.scalars(for_update(stmt, session, skip_locked=True)))


def sweep_batch(
    session: Session,
    calendars: Calendars,
    recipients: _Recipients,
    batch_size: int,
    now: datetime,
    result: SweepResult,
) -> int:
    """Check one batch of due cases and commit; returns how many cases it held."""
    ids = _due_ids(session, now, batch_size)
    if not ids:
        session.commit()
        return 0
    cases = session.scalars(select(Case).where(Case.id.in_(ids)).options(lazyload("*"))).all()
    by_case: dict[int, list[CaseSlaTarget]] = defaultdict(list)
    target_rows = select(CaseSlaTarget).where(CaseSlaTarget.case_id.in_(ids))
    for row in session.scalars(target_rows.options(lazyload("*"))):
        by_case[row.case_id].append(row)
    planned: list[tuple[Case, str, EventKind]] = []
    for case in cases:
        calendar = calendars.for_authority(case.authority_slug)
        planned += _check_case(case, by_case[case.id], calendar, now)
    # One statement for the batch's events; the rest goes out in the commit's flush, which
    # sends rows of one table together (set-based: no round trip per event).
    _announce(session, _record_events(session, planned, now), recipients, now, result)
    result.cases += len(ids)
    session.commit()
    return len(ids)


def sweep(
    session: Session, settings: SweepSettings | None = None, now: datetime | None = None
) -> SweepResult:
    """Record due warnings, breaches and escalations and queue their notifications.

    Work is proportional to the cases whose check is due, never to the open cases: at most
    max_batches x batch_size cases per run; the rest wait for the next run (every minute).
    """
    settings = settings or SweepSettings()
    now = now or utcnow()
    result = SweepResult()
    calendars = load_calendars(session)
    recipients = _Recipients(session)
    for _ in range(settings.max_batches):
        taken = sweep_batch(session, calendars, recipients, settings.batch_size, now, result)
        if taken < settings.batch_size:
            break
    session.commit()
    return result
