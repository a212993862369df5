"""SLA clocks: pause and resume, states, events and next checks, words for durations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desk.domain.business_calendar import HELSINKI, default_calendar
from desk.domain.sla import (
    Clock,
    EventKind,
    Flags,
    Policy,
    SlaState,
    Target,
    clocks_run,
    describe_minutes,
    due_events,
    next_check,
    policy_errors,
    resolution_met,
)
from desk.i18n import plurals

CAL = default_calendar()


def hki(*args: int) -> datetime:
    return datetime(*args, tzinfo=HELSINKI)  # type: ignore[misc]


def test_a_clock_runs_pauses_resumes_and_is_met() -> None:
    clock = Clock.start(480, 75, hki(2026, 3, 2, 9))  # Monday 09:00, one business day
    assert clock.due_at(CAL) == hki(2026, 3, 3, 9)
    assert clock.warn_at(CAL) == hki(2026, 3, 2, 15)
    assert clock.state(CAL, hki(2026, 3, 2, 10)) is SlaState.ON_TRACK
    assert clock.state(CAL, hki(2026, 3, 2, 15)) is SlaState.AT_RISK

    paused = clock.pause(CAL, hki(2026, 3, 2, 11))  # waiting for the employer
    assert paused.elapsed == timedelta(hours=2)
    assert paused.state(CAL, hki(2026, 3, 9, 12)) is SlaState.PAUSED
    assert paused.remaining(CAL, hki(2026, 3, 9, 12)) == timedelta(hours=6)
    assert paused.due_at(CAL) is None

    resumed = paused.resume(hki(2026, 3, 4, 14))  # the employer answers on Wednesday
    assert resumed.due_at(CAL) == hki(2026, 3, 5, 12)
    met = resumed.meet(CAL, hki(2026, 3, 4, 15))
    assert met.elapsed == timedelta(hours=3)
    assert met.state(CAL, hki(2026, 3, 20, 9)) is SlaState.MET
    assert met.met_in_time() is True


def test_a_late_clock_is_breached_and_met_late() -> None:
    clock = Clock.start(240, 75, hki(2026, 3, 2, 9))
    assert clock.state(CAL, hki(2026, 3, 2, 13)) is SlaState.BREACHED
    assert clock.remaining(CAL, hki(2026, 3, 2, 14)) == -timedelta(hours=1)
    met = clock.meet(CAL, hki(2026, 3, 2, 14))
    assert met.met_in_time() is False
    # A breached clock that is paused still shows the breach.
    assert clock.pause(CAL, hki(2026, 3, 2, 14)).state(CAL, hki(2026, 3, 3, 9)) is (
        SlaState.BREACHED
    )


def test_reopening_counts_a_met_target_again() -> None:
    clock = Clock.start(960, 75, hki(2026, 3, 2, 8)).meet(CAL, hki(2026, 3, 2, 12))
    reopened = clock.reopen(hki(2026, 3, 5, 8))
    assert reopened.running and reopened.met_at is None
    assert reopened.elapsed == timedelta(hours=4)
    assert reopened.due_at(CAL) == hki(2026, 3, 6, 12)


def test_a_clock_started_while_closed_counts_from_opening() -> None:
    saturday = hki(2026, 3, 7, 12)
    clock = Clock.start(60, 75, CAL.next_open_instant(saturday))
    assert clock.running_since == hki(2026, 3, 9, 8)
    assert clock.elapsed_at(CAL, saturday) == timedelta(0)
    assert clock.due_at(CAL) == hki(2026, 3, 9, 9)


def test_events_warning_then_breach_then_escalation() -> None:
    clock = Clock.start(480, 75, hki(2026, 3, 2, 8))
    assert due_events(clock, Flags(), CAL, hki(2026, 3, 2, 13, 59)) == []
    assert due_events(clock, Flags(), CAL, hki(2026, 3, 2, 14)) == [EventKind.WARNING]
    warned = Flags(warned=True)
    assert next_check(clock, warned, CAL) == hki(2026, 3, 2, 16)
    assert due_events(clock, warned, CAL, hki(2026, 3, 2, 16)) == [EventKind.BREACH]
    breached = Flags(warned=True, breached=True)
    # Escalation: still not met a business day after the due time.
    assert next_check(clock, breached, CAL) == hki(2026, 3, 3, 16)
    assert due_events(clock, breached, CAL, hki(2026, 3, 3, 15)) == []
    assert due_events(clock, breached, CAL, hki(2026, 3, 3, 16)) == [EventKind.ESCALATION]
    assert next_check(clock, Flags(True, True, True), CAL) is None


def test_a_late_sweep_sends_the_breach_not_the_warning() -> None:
    clock = Clock.start(480, 75, hki(2026, 3, 2, 8))
    assert due_events(clock, Flags(), CAL, hki(2026, 3, 3, 9)) == [EventKind.BREACH]
    assert due_events(clock, Flags(), CAL, hki(2026, 3, 5, 9)) == [
        EventKind.BREACH,
        EventKind.ESCALATION,
    ]


def test_a_stopped_clock_has_no_events_and_no_checks() -> None:
    clock = Clock.start(480, 75, hki(2026, 3, 2, 8)).pause(CAL, hki(2026, 3, 2, 15))
    assert due_events(clock, Flags(), CAL, hki(2026, 3, 9, 8)) == []
    assert next_check(clock, Flags(), CAL) is None
    met = Clock.start(480, 75, hki(2026, 3, 2, 8)).meet(CAL, hki(2026, 3, 2, 9))
    assert next_check(met, Flags(), CAL) is None


def test_next_check_is_the_earliest_of_warning_and_due() -> None:
    clock = Clock.start(2400, 50, hki(2026, 3, 2, 8))
    assert next_check(clock, Flags(), CAL) == hki(2026, 3, 4, 12)  # 50 % of five days
    assert next_check(clock, Flags(warned=True), CAL) == hki(2026, 3, 6, 16)


@pytest.mark.parametrize(
    ("status", "runs", "resolved"),
    [
        ("new", True, False),
        ("open", True, False),
        ("waiting", False, False),
        ("resolved", False, True),
        ("closed", False, True),
    ],
)
def test_which_statuses_run_the_clocks(status: str, runs: bool, resolved: bool) -> None:
    assert clocks_run(status) is runs
    assert resolution_met(status) is resolved


@pytest.mark.parametrize(
    ("minutes", "fi", "sv", "en"),
    [
        (240, "4 työtuntia", "4 arbetstimmar", "4 business hours"),
        (60, "1 työtunti", "1 arbetstimme", "1 business hour"),
        (480, "1 työpäivä", "1 arbetsdag", "1 business day"),
        (4800, "10 työpäivää", "10 arbetsdagar", "10 business days"),
        (90, "90 minuuttia", "90 minuter", "90 business minutes"),
    ],
)
def test_targets_in_words_in_three_languages(minutes: int, fi: str, sv: str, en: str) -> None:
    got = [describe_minutes(minutes, plurals(lang)) for lang in ("fi", "sv", "en")]
    assert got == [fi, sv, en]


def test_policy_values_are_checked() -> None:
    policy, errors = policy_errors(
        {"first_response_minutes": "240", "resolution_minutes": " 2400 ", "warning_percent": "80"}
    )
    assert errors == {} and policy == Policy(240, 2400, 80)
    assert policy.minutes(Target.FIRST_RESPONSE) == 240
    _none, errors = policy_errors(
        {"first_response_minutes": "", "resolution_minutes": "4.5", "warning_percent": "100"}
    )
    assert errors == {
        "first_response_minutes": "required",
        "resolution_minutes": "invalid",
        "warning_percent": "range",
    }
    with pytest.raises(ValueError):
        Policy(0, 10)


# --- properties ------------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2025, 6, 1), max_value=datetime(2027, 6, 1), timezones=st.just(UTC)
)


@settings(max_examples=300, deadline=None)
@given(st.lists(instants, min_size=2, max_size=9, unique=True), st.integers(1, 9600))
def test_pausing_and_resuming_never_loses_or_gains_business_time(
    moments: list[datetime], target: int
) -> None:
    """Start, then pause/resume at the given instants, then read: elapsed is exactly the
    business time of the running spans, whatever the pauses."""
    moments.sort()
    start, *switches, end = moments
    clock = Clock.start(target, 75, start)
    running_spans = timedelta(0)
    since = start
    running = True
    for moment in switches:
        if running:
            clock = clock.pause(CAL, moment)
            running_spans += CAL.business_time_between(since, moment)
        else:
            clock = clock.resume(moment)
            since = moment
        running = not running
    if running:
        running_spans += CAL.business_time_between(since, end)
    assert clock.elapsed_at(CAL, end) == running_spans
    # The paused time is exactly what is missing compared with never pausing.
    paused_spans = CAL.business_time_between(start, end) - running_spans
    assert paused_spans >= timedelta(0)


@settings(max_examples=200, deadline=None)
@given(instants, instants, st.integers(1, 9600))
def test_the_due_time_is_when_the_clock_reaches_the_target(
    start: datetime, pause_at: datetime, target: int
) -> None:
    start, pause_at = sorted((start, pause_at))
    clock = Clock.start(target, 75, start).pause(CAL, pause_at).resume(pause_at)
    due = clock.due_at(CAL)
    if clock.elapsed >= clock.target:
        assert due == pause_at
    else:
        assert due is not None
        assert clock.elapsed_at(CAL, due) == clock.target
        assert clock.state(CAL, due) is SlaState.BREACHED
        assert clock.state(CAL, due - timedelta(microseconds=1)) is not SlaState.BREACHED


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_catalogue_translates_every_duration_in_both_numbers(language: str) -> None:
    from babel.support import Translations

    from desk.domain.sla import DURATION_MESSAGES
    from desk.i18n import TRANSLATIONS_DIR

    translations = Translations.load(str(TRANSLATIONS_DIR), [language])
    for singular, plural in DURATION_MESSAGES:
        for n in (1, 2):
            translated = translations.ngettext(singular, plural, n)
            assert translated not in (singular, plural), f"{language}: {singular!r}"
            assert "%(num)d" in translated
