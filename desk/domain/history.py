"""Past cases from the previous system: one JSON line read and checked, its history replayed.

`parse_line` turns one line of `desk import cases` into a checked `HistoryLine` (the same
validation as the public form, plus the history's own rules) or raises `InvalidLine` with
the reason. `replay` runs the line's events through the case state machine and the SLA
clocks exactly as the live desk would have run them at those instants, and returns what the
desk would have stored: status, timestamps, each target's clock columns, and the audit
steps (status changes, replies, employer answers) with the messages they carry.

The live desk (desk.services.cases and desk.services.sla) does, per event:
- received: both clocks start at the calendar's next open instant;
- reply (a public staff message): a new case opens; the first one meets first response;
- waiting (staff asks the employer): a public staff message as above, then the case waits,
  which pauses the clocks;
- employer_answer: the employer's message; a waiting (or resolved) case opens again, which
  resumes (or reopens) the resolution clock;
- resolved: meets resolution; closed: keeps it met (only a resolved case can be closed).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from desk.domain.business_calendar import BusinessCalendar
from desk.domain.case_status import (
    CaseStatus,
    InvalidTransition,
    check_transition,
    status_after_employer_message,
)
from desk.domain.intake import (
    CleanSubmission,
    InvalidSubmission,
    RawSubmission,
    validate_submission,
)
from desk.domain.sla import Clock, Policy, Target, clocks_run, resolution_met, store_clock

MAX_EXTERNAL_ID = 64
TARGETS = (Target.FIRST_RESPONSE, Target.RESOLUTION)
# The form's text fields as the line names them (the line's municipality goes to the router
# as typed: a code, a Finnish or Swedish name, or anything else for "outside the ten").
_TEXT_FIELDS = (
    "business_id",
    "organisation_name",
    "contact_name",
    "email",
    "phone",
    "municipality",
    "need",
    "description",
    "language",
)


class EventType(StrEnum):
    """What happened to a past case."""

    REPLY = "reply"
    WAITING = "waiting"
    EMPLOYER_ANSWER = "employer_answer"
    RESOLVED = "resolved"
    CLOSED = "closed"


class InvalidLine(ValueError):
    """The line cannot be imported; the message says why."""


@dataclass(frozen=True)
class HistoryEvent:
    """One event of a past case, at a UTC instant."""

    type: EventType
    at: datetime


@dataclass(frozen=True)
class HistoryLine:
    """A checked line: the request as the form would have cleaned it and its history."""

    external_id: str
    submission: CleanSubmission
    received_at: datetime  # UTC
    events: tuple[HistoryEvent, ...]
    team: str | None = None  # a team slug that overrides routing


def parse_instant(value: object, where: str) -> datetime:
    """An ISO 8601 instant with an offset, as UTC; InvalidLine otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidLine(f"{where}: required (an ISO 8601 instant with an offset)")
    try:
        instant = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidLine(f"{where}: {value!r} is not an ISO 8601 instant") from exc
    # A naive time would be guessed at; the previous system's export must say its offset.
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise InvalidLine(f"{where}: {value!r} has no UTC offset")
    return instant.astimezone(UTC)


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidLine(f"{name}: must be a string")
    return value


def _affected(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidLine("affected_employees: must be a whole number or null")
    return str(value)


def _events(raw: object, received_at: datetime) -> tuple[HistoryEvent, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InvalidLine("events: must be a list")
    events: list[HistoryEvent] = []
    previous = received_at
    for index, item in enumerate(raw):
        where = f"events[{index}]"
        if not isinstance(item, dict):
            raise InvalidLine(f"{where}: must be an object with type and at")
        try:
            kind = EventType(str(item.get("type")))
        except ValueError as exc:
            raise InvalidLine(f"{where}.type: unknown event type {item.get('type')!r}") from exc
        at = parse_instant(item.get("at"), f"{where}.at")
        if at < received_at:
            raise InvalidLine(f"{where}.at: before received_at")
        if at < previous:
            raise InvalidLine(f"{where}.at: before the previous event (events out of order)")
        previous = at
        events.append(HistoryEvent(kind, at))
    return tuple(events)


def parse_line(text: str, need_codes: Collection[str]) -> HistoryLine:
    """Read and check one JSON line; InvalidLine names the first problem (or every bad field)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidLine(f"not valid JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(data, dict):
        raise InvalidLine("not a JSON object")
    external_id = data.get("external_id")
    if not isinstance(external_id, str) or not external_id.strip():
        raise InvalidLine("external_id: required")
    external_id = external_id.strip()
    if len(external_id) > MAX_EXTERNAL_ID:
        raise InvalidLine(f"external_id: longer than {MAX_EXTERNAL_ID} characters")
    raw = RawSubmission(
        **{name: _text(data, name) for name in _TEXT_FIELDS},
        affected_employees=_affected(data.get("affected_employees")),
    )
    try:
        clean = validate_submission(raw, need_codes)
    except InvalidSubmission as exc:
        raise InvalidLine("; ".join(f"{k}: {v}" for k, v in exc.errors.items())) from exc
    team = data.get("team")
    if team is not None and (not isinstance(team, str) or not team.strip()):
        raise InvalidLine("team: must be a team's slug or absent")
    received_at = parse_instant(data.get("received_at"), "received_at")
    events = _events(data.get("events"), received_at)
    return HistoryLine(external_id, clean, received_at, events, team.strip() if team else None)


# --- the replay ----------------------------------------------------------------------------


@dataclass
class TargetRecord:
    """A target's columns as desk.services.sla stores them (case_sla_targets)."""

    target: Target
    target_minutes: int
    warning_percent: int
    started_at: datetime
    elapsed_minutes: float = 0.0
    running_since: datetime | None = None
    due_at: datetime | None = None
    met_at: datetime | None = None
    paused_at: datetime | None = None

    def clock(self) -> Clock:
        """The domain clock these columns hold."""
        return Clock(
            self.target_minutes,
            self.warning_percent,
            timedelta(minutes=self.elapsed_minutes),
            self.running_since,
            self.met_at,
        )

    def store(self, clock: Clock, calendar: BusinessCalendar, now: datetime) -> None:
        """Keep the clock exactly as the live desk does (the one store_clock)."""
        store_clock(self, clock, calendar, now)


@dataclass(frozen=True)
class Step:
    """One audit event of the replay (case_events.kind), who did it, and its message if any.

    actor: "staff" or "employer"; message: the author ("staff" or "employer") of the public
    message the step carries, else None.
    """

    kind: str  # status_changed | replied | employer_replied
    at: datetime
    actor: str
    facts: dict[str, Any] = field(default_factory=dict)
    message: str | None = None


@dataclass
class Replay:
    """What the live desk would have stored for the case after its last event."""

    status: CaseStatus
    updated_at: datetime
    targets: list[TargetRecord]
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    steps: list[Step] = field(default_factory=list)

    @property
    def sla_due_at(self) -> datetime | None:
        """The nearest due time of the running targets (cases.sla_due_at)."""
        dues = [t.due_at for t in self.targets if t.clock().running and t.due_at is not None]
        return min(dues) if dues else None

    def target(self, target: Target) -> TargetRecord:
        """The record of one target."""
        return next(t for t in self.targets if t.target is target)


class _Replayer:
    def __init__(self, line: HistoryLine, policy: Policy, calendar: BusinessCalendar) -> None:
        self.calendar = calendar
        start = calendar.next_open_instant(line.received_at)
        targets = []
        for target in TARGETS:
            record = TargetRecord(
                target, policy.minutes(target), policy.warning_percent, started_at=start
            )
            record.store(
                Clock.start(record.target_minutes, record.warning_percent, start),
                calendar,
                line.received_at,
            )
            targets.append(record)
        self.case = Replay(CaseStatus.NEW, line.received_at, targets)

    def _sync(self, now: datetime) -> None:
        """desk.services.sla.sync_with_status."""
        status = self.case.status.value
        for record in self.case.targets:
            clock = record.clock()
            if record.target is Target.RESOLUTION:
                if resolution_met(status):
                    clock = clock.meet(self.calendar, now)
                elif clock.met_at is not None:
                    clock = clock.reopen(now)
            running = clocks_run(status)
            clock = clock.resume(now) if running else clock.pause(self.calendar, now)
            record.store(clock, self.calendar, now)

    def _move(self, target: CaseStatus, now: datetime, actor: str) -> None:
        """desk.services.cases._move: check, set the timestamps, follow with the clocks."""
        current = self.case.status
        if target is current:
            return
        try:
            check_transition(current, target)
        except InvalidTransition as exc:
            raise InvalidLine(str(exc)) from exc
        self.case.status = target
        self.case.updated_at = now
        if target is CaseStatus.RESOLVED:
            self.case.resolved_at = now
        if target is CaseStatus.CLOSED:
            self.case.closed_at = now
        self.case.steps.append(
            Step("status_changed", now, actor, {"from": current.value, "to": target.value})
        )
        self._sync(now)

    def _reply(self, now: datetime) -> None:
        """desk.services.cases.reply: a public staff message."""
        if self.case.status is CaseStatus.CLOSED:
            raise InvalidLine("a closed case cannot be replied to")
        first = self.case.first_response_at is None
        if first:
            self.case.first_response_at = now
        if self.case.status is CaseStatus.NEW:
            self._move(CaseStatus.OPEN, now, "staff")
        self.case.updated_at = now
        facts: dict[str, Any] = {"first_response": True} if first else {}
        self.case.steps.append(Step("replied", now, "staff", facts, message="staff"))
        if first:
            # desk.services.sla.first_response_given
            record = self.case.target(Target.FIRST_RESPONSE)
            if record.met_at is None:
                record.store(record.clock().meet(self.calendar, now), self.calendar, now)

    def _employer_answer(self, now: datetime) -> None:
        """desk.services.cases.employer_reply."""
        if self.case.status is CaseStatus.CLOSED:
            raise InvalidLine("the employer cannot answer a closed case")
        self.case.updated_at = now
        self._move(status_after_employer_message(self.case.status), now, "employer")
        self.case.steps.append(Step("employer_replied", now, "employer", message="employer"))

    def apply(self, event: HistoryEvent) -> None:
        if event.type is EventType.REPLY:
            self._reply(event.at)
        elif event.type is EventType.WAITING:
            if self.case.status is CaseStatus.WAITING:
                raise InvalidLine("the case is already waiting for the employer")
            self._reply(event.at)
            self._move(CaseStatus.WAITING, event.at, "staff")
        elif event.type is EventType.EMPLOYER_ANSWER:
            self._employer_answer(event.at)
        else:
            target = CaseStatus.RESOLVED if event.type is EventType.RESOLVED else CaseStatus.CLOSED
            if self.case.status is target:
                # desk.services.cases.change_status refuses to "change" to the same status.
                raise InvalidLine(f"the case is already {target.value}")
            self._move(target, event.at, "staff")


def replay(line: HistoryLine, policy: Policy, calendar: BusinessCalendar) -> Replay:
    """Run the line's events as the live desk would have; InvalidLine for an impossible one."""
    replayer = _Replayer(line, policy, calendar)
    for index, event in enumerate(line.events):
        try:
            replayer.apply(event)
        except InvalidLine as exc:
            raise InvalidLine(f"events[{index}] ({event.type.value}): {exc}") from exc
    return replayer.case
