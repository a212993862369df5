import pytest

from desk.domain.case_status import (
    CaseStatus,
    InvalidTransition,
    can_transition,
    check_transition,
    next_statuses,
    status_after_employer_message,
    status_after_staff_claim,
)

S = CaseStatus


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.NEW, S.OPEN),
        (S.OPEN, S.WAITING),
        (S.WAITING, S.OPEN),
        (S.WAITING, S.RESOLVED),
        (S.OPEN, S.RESOLVED),
        (S.RESOLVED, S.CLOSED),
        (S.RESOLVED, S.OPEN),
        (S.NEW, S.WAITING),
    ],
)
def test_allowed_transitions(current: CaseStatus, target: CaseStatus) -> None:
    assert can_transition(current, target)
    assert check_transition(current, target) is target


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.NEW, S.CLOSED),
        (S.OPEN, S.NEW),
        (S.OPEN, S.CLOSED),
        (S.WAITING, S.CLOSED),
        (S.CLOSED, S.OPEN),
        (S.CLOSED, S.NEW),
        (S.RESOLVED, S.WAITING),
        (S.OPEN, S.OPEN),
    ],
)
def test_invalid_transitions_are_refused(current: CaseStatus, target: CaseStatus) -> None:
    assert not can_transition(current, target)
    with pytest.raises(InvalidTransition, match=f"from {current.value} to {target.value}"):
        check_transition(current, target)


def test_closed_is_final() -> None:
    assert next_statuses(S.CLOSED) == []


def test_next_statuses_in_life_cycle_order() -> None:
    assert next_statuses(S.OPEN) == [S.WAITING, S.RESOLVED]


@pytest.mark.parametrize(
    ("current", "after"),
    [(S.WAITING, S.OPEN), (S.RESOLVED, S.OPEN), (S.NEW, S.NEW), (S.OPEN, S.OPEN)],
)
def test_an_employer_answer_reopens_a_waiting_or_resolved_case(current, after) -> None:
    assert status_after_employer_message(current) is after


def test_claiming_opens_a_new_case_only() -> None:
    assert status_after_staff_claim(S.NEW) is S.OPEN
    assert status_after_staff_claim(S.WAITING) is S.WAITING
