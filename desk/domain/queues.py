"""The adviser's queues as plain rules: queue names, sorts, a case's SLA state, the cursor.

A queue is named in the URL (`next`, `mine`, `unassigned`, `team/<slug>`, `watching`,
`authority`, `done`); a page of it is sorted by one of three keys and continues after an
opaque cursor that holds the sort, the last row's sort key and its id (keyset pagination).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from desk.domain.case_status import CaseStatus


class QueueKind(StrEnum):
    """The kinds of queue an adviser can open."""

    NEXT = "next"  # open cases of my teams (admins: all), nearest due first: /staff/
    MINE = "mine"  # open cases assigned to me
    UNASSIGNED = "unassigned"  # open, unassigned cases of my teams
    TEAM = "team"  # open cases of one team (team/<slug>)
    WATCHING = "watching"  # open cases I follow or my team collaborates on
    AUTHORITY = "authority"  # open cases of my authority (managers and admins)
    DONE = "done"  # resolved and closed cases, recent first


@dataclass(frozen=True)
class QueueName:
    """A queue as named in the URL: its kind and, for a team's queue, the team's slug."""

    kind: QueueKind
    team_slug: str | None = None

    def __str__(self) -> str:
        return f"team/{self.team_slug}" if self.kind is QueueKind.TEAM else self.kind.value


def parse_queue_name(raw: str) -> QueueName | None:
    """The queue named `raw` (e.g. "mine", "team/lahti-employer-services"), None if none."""
    raw = raw.strip().strip("/")
    if raw.startswith("team/"):
        slug = raw.removeprefix("team/")
        return QueueName(QueueKind.TEAM, slug) if slug and "/" not in slug else None
    try:
        kind = QueueKind(raw or QueueKind.NEXT.value)
    except ValueError:
        return None
    return None if kind is QueueKind.TEAM else QueueName(kind)


def queue_statuses(kind: QueueKind) -> frozenset[CaseStatus]:
    """The statuses a queue lists: done cases in `done`, open (active) ones elsewhere."""
    if kind is QueueKind.DONE:
        return frozenset({CaseStatus.RESOLVED, CaseStatus.CLOSED})
    return frozenset({CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.WAITING})


class Sort(StrEnum):
    """How a queue is ordered."""

    DUE = "due"  # nearest SLA due time first, cases without a running clock last
    RECEIVED = "received"  # oldest first
    ACTIVITY = "activity"  # most recent activity (cases.updated_at) first


def default_sort(kind: QueueKind) -> Sort:
    """Open queues by nearest due time; resolved and closed cases recent first."""
    return Sort.ACTIVITY if kind is QueueKind.DONE else Sort.DUE


class CaseSlaState(StrEnum):
    """Where an open case stands against its nearest target."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    PAUSED = "paused"


def sla_state(
    status: str, due_at: datetime | None, warn_at: datetime | None, now: datetime
) -> CaseSlaState | None:
    """The case's SLA state from its columns; None for resolved and closed cases.

    Clocks stop while the case waits for the employer (paused); a running case is breached
    once its nearest due time has passed and at risk from its nearest warning time.
    """
    if status == CaseStatus.WAITING:
        return CaseSlaState.PAUSED
    if status not in (CaseStatus.NEW, CaseStatus.OPEN):
        return None
    if due_at is not None and due_at < now:
        return CaseSlaState.BREACHED
    if warn_at is not None and warn_at <= now:
        return CaseSlaState.AT_RISK
    return CaseSlaState.ON_TRACK


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: the sort, the last row's sort key (None: no due time) and its id."""

    sort: Sort
    key: datetime | None
    case_id: int


MAX_CURSOR = 120  # characters: a cursor this desk makes is about 70


class InvalidCursor(ValueError):
    """The cursor in the URL is not one this desk made (or is for another sort)."""


def encode_cursor(cursor: Cursor) -> str:
    """The cursor as an opaque, URL-safe token."""
    key = cursor.key.isoformat() if cursor.key is not None else None
    raw = json.dumps([cursor.sort.value, key, cursor.case_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: str, sort: Sort) -> Cursor:
    """The cursor a token holds, for this sort; InvalidCursor for anything else."""
    if len(token) > MAX_CURSOR:
        raise InvalidCursor(token[:MAX_CURSOR])
    try:
        padded = token + "=" * (-len(token) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        name, key, case_id = value
        parsed = datetime.fromisoformat(key) if key is not None else None
    except (ValueError, TypeError, UnicodeError, binascii.Error) as exc:
        raise InvalidCursor(token) from exc
    if name != sort.value or type(case_id) is not int or case_id < 1:
        raise InvalidCursor(token)
    if parsed is not None and parsed.tzinfo is None:
        raise InvalidCursor(token)
    if parsed is None and sort is not Sort.DUE:
        raise InvalidCursor(token)  # only the due time may be missing
    return Cursor(Sort(name), parsed, case_id)


def parse_date(raw: str) -> date | None:
    """A received-date filter (YYYY-MM-DD); ValueError when it is not a date."""
    raw = raw.strip()
    return date.fromisoformat(raw) if raw else None
