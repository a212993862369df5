"""The case state machine: new -> open -> waiting for employer -> resolved -> closed."""

from enum import StrEnum


class CaseStatus(StrEnum):
    """Where a case is in its life."""

    NEW = "new"
    OPEN = "open"
    WAITING = "waiting"  # waiting for the employer
    RESOLVED = "resolved"
    CLOSED = "closed"


class InvalidTransition(ValueError):
    """The requested status change is not allowed."""

    def __init__(self, current: CaseStatus, target: CaseStatus) -> None:
        super().__init__(f"cannot move a case from {current.value} to {target.value}")
        self.current = current
        self.target = target


ALLOWED: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.NEW: frozenset({CaseStatus.OPEN, CaseStatus.WAITING, CaseStatus.RESOLVED}),
    CaseStatus.OPEN: frozenset({CaseStatus.WAITING, CaseStatus.RESOLVED}),
    CaseStatus.WAITING: frozenset({CaseStatus.OPEN, CaseStatus.RESOLVED}),
    # A resolved case can be reopened (the employer was not helped after all) or closed.
    CaseStatus.RESOLVED: frozenset({CaseStatus.OPEN, CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset(),
}

ACTIVE = frozenset({CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.WAITING})


def can_transition(current: CaseStatus, target: CaseStatus) -> bool:
    """True when a case may move from current to target."""
    return target in ALLOWED[current]


def check_transition(current: CaseStatus, target: CaseStatus) -> CaseStatus:
    """Return target if the move is allowed, else raise InvalidTransition."""
    if not can_transition(current, target):
        raise InvalidTransition(current, target)
    return target


def next_statuses(current: CaseStatus) -> list[CaseStatus]:
    """Statuses a case may move to next, in life-cycle order."""
    return [status for status in CaseStatus if status in ALLOWED[current]]


def status_after_employer_message(current: CaseStatus) -> CaseStatus:
    """An employer's answer reopens a waiting or resolved case; otherwise status is kept."""
    if current in (CaseStatus.WAITING, CaseStatus.RESOLVED):
        return CaseStatus.OPEN
    return current


def status_after_staff_claim(current: CaseStatus) -> CaseStatus:
    """Claiming a new case opens it."""
    return CaseStatus.OPEN if current is CaseStatus.NEW else current
