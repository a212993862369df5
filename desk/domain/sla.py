"""Service-level targets: policies, the pausable clock of each target, states and checks.

A case has two targets, first response and resolution. Each has a clock that counts business
time (desk.domain.business_calendar) while the case is worked: it runs while the case is new
or open, stops while it waits for the employer (and once resolved or closed), and starts
again when the employer answers or a resolved case is reopened. What has run is kept as
`elapsed`; the running part is counted from `running_since`, so the clock never loses or
gains time across pauses.

Events: a warning when the warning share (75 % by default) of the target has elapsed, a
breach when the target has elapsed, an escalation when a breached target is still not met a
business day (8 business hours) of clock time after its due time. The sweep looks at a case
again at its next check instant, the earliest of those that are still ahead.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final, Protocol

from desk.domain.business_calendar import BusinessCalendar
from desk.domain.languages import PluralTranslate

BUSINESS_DAY_MINUTES = 8 * 60
ESCALATE_AFTER = timedelta(minutes=BUSINESS_DAY_MINUTES)
DEFAULT_WARNING_PERCENT = 75


class Target(StrEnum):
    """What a case is measured on."""

    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"


class SlaState(StrEnum):
    """How a target stands."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    MET = "met"
    PAUSED = "paused"


class EventKind(StrEnum):
    """What the sweep records, once per case and target."""

    WARNING = "warning"
    BREACH = "breach"
    ESCALATION = "escalation"


@dataclass(frozen=True)
class Policy:
    """Targets in business minutes and the warning threshold, for one need (and priority)."""

    first_response_minutes: int
    resolution_minutes: int
    warning_percent: int = DEFAULT_WARNING_PERCENT

    def __post_init__(self) -> None:
        if self.first_response_minutes <= 0 or self.resolution_minutes <= 0:
            raise ValueError("targets must be positive business minutes")
        if not 1 <= self.warning_percent <= 99:
            raise ValueError("the warning threshold is a percentage from 1 to 99")

    def minutes(self, target: Target) -> int:
        """The target's business minutes."""
        if target is Target.FIRST_RESPONSE:
            return self.first_response_minutes
        return self.resolution_minutes


# Bounds an administrator may set: a target up to a year of business days.
MAX_TARGET_MINUTES = 250 * BUSINESS_DAY_MINUTES
POLICY_FIELDS = ("first_response_minutes", "resolution_minutes", "warning_percent")


def policy_errors(raw: dict[str, str]) -> tuple[Policy | None, dict[str, str]]:
    """Check a policy typed by an administrator: (policy, {}) or (None, field -> error code).

    Codes: required, invalid (not a whole number), range (outside the allowed bounds).
    """
    errors: dict[str, str] = {}
    values: dict[str, int] = {}
    bounds = {
        "first_response_minutes": (1, MAX_TARGET_MINUTES),
        "resolution_minutes": (1, MAX_TARGET_MINUTES),
        "warning_percent": (1, 99),
    }
    for name in POLICY_FIELDS:
        text = (raw.get(name) or "").strip()
        if not text:
            errors[name] = "required"
            continue
        if not text.isdigit():
            errors[name] = "invalid"
            continue
        value = int(text)
        low, high = bounds[name]
        if not low <= value <= high:
            errors[name] = "range"
            continue
        values[name] = value
    if errors:
        return None, errors
    return Policy(**values), {}


@dataclass(frozen=True)
class Clock:
    """The pausable business-time clock of one target of one case."""

    target_minutes: int
    warning_percent: int = DEFAULT_WARNING_PERCENT
    elapsed: timedelta = timedelta(0)  # counted before running_since
    running_since: datetime | None = None
    met_at: datetime | None = None

    @property
    def target(self) -> timedelta:
        """The target as business time."""
        return timedelta(minutes=self.target_minutes)

    @property
    def warning_after(self) -> timedelta:
        """Business time after which the warning is due."""
        return self.target * self.warning_percent / 100

    @property
    def running(self) -> bool:
        """The clock is counting."""
        return self.running_since is not None and self.met_at is None

    # -- transitions (each returns a new clock) ----------------------------------------

    @classmethod
    def start(cls, policy_minutes: int, warning_percent: int, now: datetime) -> Clock:
        """A clock that runs from now (business time only counts while open)."""
        return cls(policy_minutes, warning_percent, timedelta(0), now, None)

    def pause(self, calendar: BusinessCalendar, now: datetime) -> Clock:
        """Stop counting, keeping what has run."""
        if not self.running:
            return self
        return replace(self, elapsed=self.elapsed_at(calendar, now), running_since=None)

    def resume(self, now: datetime) -> Clock:
        """Count again from now (no-op when running or met)."""
        if self.running or self.met_at is not None:
            return self
        return replace(self, running_since=now)

    def meet(self, calendar: BusinessCalendar, now: datetime) -> Clock:
        """The target is met now; the clock stops for good (until reopened)."""
        if self.met_at is not None:
            return self
        return replace(self.pause(calendar, now), running_since=None, met_at=now)

    def reopen(self, now: datetime) -> Clock:
        """A met target counts again from now (a resolved case reopened)."""
        if self.met_at is None:
            return self.resume(now)
        return replace(self, met_at=None, running_since=now)

    # -- questions -----------------------------------------------------------------------

    def elapsed_at(self, calendar: BusinessCalendar, now: datetime) -> timedelta:
        """Business time counted up to now."""
        if not self.running or self.running_since is None:
            return self.elapsed
        if now <= self.running_since:
            return self.elapsed
        return self.elapsed + calendar.business_time_between(self.running_since, now)

    def remaining(self, calendar: BusinessCalendar, now: datetime) -> timedelta:
        """Business time left until the target (negative when overdue)."""
        return self.target - self.elapsed_at(calendar, now)

    def instant_at(self, calendar: BusinessCalendar, elapsed: timedelta) -> datetime | None:
        """When the running clock reaches `elapsed` (running_since if already reached)."""
        if not self.running or self.running_since is None:
            return None
        if elapsed <= self.elapsed:
            return self.running_since
        return calendar.add_business_time(self.running_since, elapsed - self.elapsed)

    def due_at(self, calendar: BusinessCalendar) -> datetime | None:
        """When the target elapses if the clock keeps running (None when stopped)."""
        return self.instant_at(calendar, self.target)

    def warn_at(self, calendar: BusinessCalendar) -> datetime | None:
        """When the warning is due if the clock keeps running."""
        return self.instant_at(calendar, self.warning_after)

    def escalate_at(self, calendar: BusinessCalendar) -> datetime | None:
        """When a breach that is still not met escalates."""
        return self.instant_at(calendar, self.target + ESCALATE_AFTER)

    def state(self, calendar: BusinessCalendar, now: datetime) -> SlaState:
        """Met, breached, paused, at risk or on track."""
        if self.met_at is not None:
            return SlaState.MET
        elapsed = self.elapsed_at(calendar, now)
        if elapsed >= self.target:
            return SlaState.BREACHED
        if not self.running:
            return SlaState.PAUSED
        if elapsed >= self.warning_after:
            return SlaState.AT_RISK
        return SlaState.ON_TRACK

    def met_in_time(self) -> bool | None:
        """Whether a met target was met within its target (None when not met)."""
        if self.met_at is None:
            return None
        return self.elapsed <= self.target


@dataclass(frozen=True)
class Flags:
    """Which events have been recorded for a target."""

    warned: bool = False
    breached: bool = False
    escalated: bool = False


def due_events(
    clock: Clock, flags: Flags, calendar: BusinessCalendar, now: datetime
) -> list[EventKind]:
    """The events a running target has reached by now and that are not yet recorded.

    A warning that is overtaken by the breach (the sweep was late) is not sent: the breach
    says more. An escalation may come in the same sweep as its breach after a long outage.
    """
    if not clock.running:
        return []
    elapsed = clock.elapsed_at(calendar, now)
    events: list[EventKind] = []
    breached = flags.breached
    if not breached and elapsed >= clock.target:
        events.append(EventKind.BREACH)
        breached = True
    elif not flags.warned and not breached and elapsed >= clock.warning_after:
        events.append(EventKind.WARNING)
    if breached and not flags.escalated and elapsed >= clock.target + ESCALATE_AFTER:
        events.append(EventKind.ESCALATION)
    return events


def next_check(clock: Clock, flags: Flags, calendar: BusinessCalendar) -> datetime | None:
    """When the sweep must look at this target again (None: nothing can happen while stopped).

    The earliest of the warning and the due time of a running target; for a breached target,
    the escalation check a business day later.
    """
    if not clock.running:
        return None
    candidates: list[datetime | None] = []
    if not flags.breached:
        if not flags.warned:
            candidates.append(clock.warn_at(calendar))
        candidates.append(clock.due_at(calendar))
    elif not flags.escalated:
        candidates.append(clock.escalate_at(calendar))
    found = [c for c in candidates if c is not None]
    return min(found) if found else None


def clocks_run(status: str) -> bool:
    """Clocks count while the case is new or open (not waiting, resolved or closed)."""
    return status in ("new", "open")


def resolution_met(status: str) -> bool:
    """The resolution target is met while the case is resolved or closed."""
    return status in ("resolved", "closed")


# Durations for the processing-times page and the employer: the catalogue's wording (gettext
# plurals in desk/translations, like every other text of the desk); the domain only chooses
# the unit and the count.
_DAYS = ("%(num)d business day", "%(num)d business days")
_HOURS = ("%(num)d business hour", "%(num)d business hours")
_MINUTES = ("%(num)d business minute", "%(num)d business minutes")
DURATION_MESSAGES: Final = (_DAYS, _HOURS, _MINUTES)


def describe_minutes(minutes: int, translate: PluralTranslate) -> str:
    """A target in words: whole business days, else whole hours, else minutes."""
    if minutes % BUSINESS_DAY_MINUTES == 0:
        n, forms = minutes // BUSINESS_DAY_MINUTES, _DAYS
    elif minutes % 60 == 0:
        n, forms = minutes // 60, _HOURS
    else:
        n, forms = minutes, _MINUTES
    return translate(forms[0], forms[1], n)


class StoredClock(Protocol):
    """Where a target's clock is kept: the case_sla_targets columns (a row, or a record
    the history import writes in bulk)."""

    elapsed_minutes: float
    running_since: datetime | None
    met_at: datetime | None
    paused_at: datetime | None
    due_at: datetime | None


def store_clock(
    stored: StoredClock, clock: Clock, calendar: BusinessCalendar, now: datetime
) -> None:
    """Keep a clock in its columns: elapsed, running since, met, paused since and due."""
    was_running = stored.running_since is not None and stored.met_at is None
    stored.elapsed_minutes = clock.elapsed / timedelta(minutes=1)
    stored.running_since = clock.running_since
    stored.met_at = clock.met_at
    if clock.running:
        stored.paused_at = None
        if clock.elapsed < clock.target:
            # An overdue clock that starts again keeps the due time it missed.
            stored.due_at = clock.due_at(calendar)
    elif clock.met_at is not None:
        stored.paused_at = None
    elif was_running:
        stored.paused_at = now
