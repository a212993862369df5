"""The business calendar: table-driven cases and hypothesis properties, against a naive model."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desk.domain.business_calendar import (
    DEFAULT_HOURS,
    HELSINKI,
    BusinessCalendar,
    CalendarError,
    WeeklyHours,
    calendar_for,
    default_calendar,
    finnish_holidays,
    midsummer_eve,
)

CAL = default_calendar()


def hki(*args: int) -> datetime:
    return datetime(*args, tzinfo=HELSINKI)  # type: ignore[misc]


# Every Finnish public holiday of 2026 and 2027, written out by hand (not from the package).
HOLIDAYS = {
    2026: [
        (date(2026, 1, 1), "New Year's Day"),
        (date(2026, 1, 6), "Epiphany"),
        (date(2026, 4, 3), "Good Friday"),
        (date(2026, 4, 5), "Easter Sunday"),
        (date(2026, 4, 6), "Easter Monday"),
        (date(2026, 5, 1), "May Day"),
        (date(2026, 5, 14), "Ascension Day"),
        (date(2026, 5, 24), "Whit Sunday"),
        (date(2026, 6, 19), "Midsummer Eve"),
        (date(2026, 6, 20), "Midsummer Day"),
        (date(2026, 10, 31), "All Saints' Day"),
        (date(2026, 12, 6), "Independence Day"),
        (date(2026, 12, 24), "Christmas Eve"),
        (date(2026, 12, 25), "Christmas Day"),
        (date(2026, 12, 26), "Boxing Day"),
    ],
    2027: [
        (date(2027, 1, 1), "New Year's Day"),
        (date(2027, 1, 6), "Epiphany"),
        (date(2027, 3, 26), "Good Friday"),
        (date(2027, 3, 28), "Easter Sunday"),
        (date(2027, 3, 29), "Easter Monday"),
        (date(2027, 5, 1), "May Day"),
        (date(2027, 5, 6), "Ascension Day"),
        (date(2027, 5, 16), "Whit Sunday"),
        (date(2027, 6, 25), "Midsummer Eve"),
        (date(2027, 6, 26), "Midsummer Day"),
        (date(2027, 11, 6), "All Saints' Day"),
        (date(2027, 12, 6), "Independence Day"),
        (date(2027, 12, 24), "Christmas Eve"),
        (date(2027, 12, 25), "Christmas Day"),
        (date(2027, 12, 26), "Boxing Day"),
    ],
}
ALL_HOLIDAYS = [entry for year in HOLIDAYS.values() for entry in year]


@pytest.mark.parametrize(("day", "name"), ALL_HOLIDAYS, ids=[f"{d} {n}" for d, n in ALL_HOLIDAYS])
def test_every_finnish_holiday_is_closed(day: date, name: str) -> None:
    assert day in finnish_holidays(day.year), name
    assert not CAL.is_open_day(day)
    assert CAL.window(day) is None
    assert not CAL.is_open(hki(day.year, day.month, day.day, 10))
    assert CAL.next_open_instant(hki(day.year, day.month, day.day, 10)).date() > day


@pytest.mark.parametrize("year", [2026, 2027])
def test_the_holiday_list_is_exactly_the_finnish_one(year: int) -> None:
    assert finnish_holidays(year) == {day for day, _name in HOLIDAYS[year]}


@pytest.mark.parametrize("year", range(2020, 2041))
def test_midsummer_eve_and_christmas_eve_are_always_closed(year: int) -> None:
    eve = midsummer_eve(year)
    assert eve.weekday() == 4 and date(year, 6, 19) <= eve <= date(year, 6, 25)
    assert {eve, date(year, 12, 24)} <= finnish_holidays(year)
    assert not CAL.is_open_day(eve)
    assert not CAL.is_open_day(date(year, 12, 24))


# (start, business minutes, expected due), all in Helsinki time unless the start says Z.
ADD_CASES = [
    # weekends
    ("Fri 15:00 + 2 h skips the weekend", hki(2026, 3, 6, 15), 120, hki(2026, 3, 9, 9)),
    ("Saturday start waits for Monday", hki(2026, 3, 7, 12), 60, hki(2026, 3, 9, 9)),
    ("Sunday late evening", hki(2026, 3, 8, 23, 59), 1, hki(2026, 3, 9, 8, 1)),
    # before opening, at closing, after closing
    ("before opening", hki(2026, 3, 3, 6, 30), 30, hki(2026, 3, 3, 8, 30)),
    ("at opening", hki(2026, 3, 3, 8), 30, hki(2026, 3, 3, 8, 30)),
    # Zero at closing stays put, so that adding a then b equals adding a + b.
    ("at closing, zero: stays at closing", hki(2026, 3, 3, 16), 0, hki(2026, 3, 3, 16)),
    ("after closing, zero: next open instant", hki(2026, 3, 3, 16, 1), 0, hki(2026, 3, 4, 8)),
    ("at closing, one minute", hki(2026, 3, 3, 16), 1, hki(2026, 3, 4, 8, 1)),
    ("after closing", hki(2026, 3, 3, 17, 45), 60, hki(2026, 3, 4, 9)),
    ("inside hours, zero: now", hki(2026, 3, 3, 11, 7), 0, hki(2026, 3, 3, 11, 7)),
    # a deadline exactly at closing time stays on that day
    ("a whole day from opening ends at 16:00", hki(2026, 3, 3, 8), 480, hki(2026, 3, 3, 16)),
    ("ends exactly at closing", hki(2026, 3, 3, 12), 240, hki(2026, 3, 3, 16)),
    ("Friday closing, not Monday 08:00", hki(2026, 3, 6, 15), 60, hki(2026, 3, 6, 16)),
    ("before opening, a whole day", hki(2026, 3, 3, 5), 480, hki(2026, 3, 3, 16)),
    ("two whole days from the evening", hki(2026, 3, 2, 18), 960, hki(2026, 3, 4, 16)),
    # Christmas and New Year
    ("Christmas 2026", hki(2026, 12, 23, 15), 120, hki(2026, 12, 28, 9)),
    ("23 December until closing", hki(2026, 12, 23, 15), 60, hki(2026, 12, 23, 16)),
    ("New Year 2026", hki(2025, 12, 31, 15), 120, hki(2026, 1, 2, 9)),
    ("New Year 2027 (Friday) and the weekend", hki(2026, 12, 31, 15), 120, hki(2027, 1, 4, 9)),
    ("Christmas 2027 (Friday to Sunday)", hki(2027, 12, 23, 15), 120, hki(2027, 12, 27, 9)),
    ("ten days over Christmas and New Year", hki(2026, 12, 21, 8), 4800, hki(2027, 1, 7, 16)),
    # other holidays on weekdays
    ("Epiphany 2026 (Tuesday)", hki(2026, 1, 5, 15), 120, hki(2026, 1, 7, 9)),
    ("Epiphany 2027 (Wednesday)", hki(2027, 1, 5, 15), 120, hki(2027, 1, 7, 9)),
    ("Easter 2026", hki(2026, 4, 2, 15), 120, hki(2026, 4, 7, 9)),
    ("Easter 2027", hki(2027, 3, 25, 15), 120, hki(2027, 3, 30, 9)),
    ("May Day 2026 (Friday)", hki(2026, 4, 30, 15), 120, hki(2026, 5, 4, 9)),
    ("Ascension 2026", hki(2026, 5, 13, 15), 120, hki(2026, 5, 15, 9)),
    ("Ascension 2027", hki(2027, 5, 5, 15), 120, hki(2027, 5, 7, 9)),
    ("Midsummer 2026", hki(2026, 6, 18, 15), 120, hki(2026, 6, 22, 9)),
    ("Midsummer 2027", hki(2027, 6, 24, 15), 120, hki(2027, 6, 28, 9)),
    ("Independence Day 2027 (Monday)", hki(2027, 12, 3, 15), 120, hki(2027, 12, 7, 9)),
    # daylight saving time: 29 March 2026 (+02 -> +03), 25 October 2026 (+03 -> +02)
    ("spring forward weekend", hki(2026, 3, 27, 15), 120, hki(2026, 3, 30, 9)),
    ("autumn back weekend", hki(2026, 10, 23, 15), 120, hki(2026, 10, 26, 9)),
    ("a week across spring forward", hki(2026, 3, 27, 8), 2400, hki(2026, 4, 2, 16)),
    ("a week across autumn back", hki(2026, 10, 23, 8), 2400, hki(2026, 10, 29, 16)),
    ("spring forward 2027 at Easter", hki(2027, 3, 25, 15, 30), 60, hki(2027, 3, 30, 8, 30)),
    # starts with other offsets
    ("UTC start", datetime(2026, 12, 23, 13, tzinfo=UTC), 120, hki(2026, 12, 28, 9)),
    ("UTC start after closing", datetime(2026, 10, 23, 15, tzinfo=UTC), 120, hki(2026, 10, 26, 10)),
]


@pytest.mark.parametrize(
    ("label", "start", "minutes", "due"), ADD_CASES, ids=[c[0] for c in ADD_CASES]
)
def test_add_business_minutes(label: str, start: datetime, minutes: int, due: datetime) -> None:
    result = CAL.add_business_minutes(start, minutes)
    assert result == due
    assert result.utcoffset() == due.utcoffset()  # reported with the Helsinki offset of the day


def test_daylight_saving_instants_in_utc() -> None:
    assert CAL.add_business_minutes(hki(2026, 3, 27, 15), 120) == datetime(
        2026, 3, 30, 6, tzinfo=UTC
    )
    assert CAL.add_business_minutes(hki(2026, 10, 23, 15), 120) == datetime(
        2026, 10, 26, 7, tzinfo=UTC
    )
    assert CAL.add_business_minutes(hki(2026, 3, 27, 15), 120).isoformat() == (
        "2026-03-30T09:00:00+03:00"
    )


BETWEEN_CASES = [
    ("same day", hki(2026, 3, 3, 9), hki(2026, 3, 3, 11, 30), 150),
    ("over a weekend", hki(2026, 3, 6, 15), hki(2026, 3, 9, 9), 120),
    ("evening to evening", hki(2026, 3, 3, 18), hki(2026, 3, 4, 20), 480),
    ("a whole week", hki(2026, 3, 2, 0), hki(2026, 3, 9, 0), 2400),
    ("Christmas week 2026", hki(2026, 12, 21, 0), hki(2026, 12, 28, 0), 3 * 480),
    ("weekend only", hki(2026, 3, 7, 0), hki(2026, 3, 9, 8), 0),
    ("backwards is negative", hki(2026, 3, 3, 11), hki(2026, 3, 3, 10), -60),
    ("across spring forward", hki(2026, 3, 27, 15), hki(2026, 3, 30, 9), 120),
]


@pytest.mark.parametrize(
    ("label", "a", "b", "minutes"), BETWEEN_CASES, ids=[c[0] for c in BETWEEN_CASES]
)
def test_business_minutes_between(label: str, a: datetime, b: datetime, minutes: int) -> None:
    assert CAL.business_minutes_between(a, b) == minutes


def test_next_open_instant() -> None:
    assert CAL.next_open_instant(hki(2026, 12, 23, 16)) == hki(2026, 12, 28, 8)
    assert CAL.next_open_instant(hki(2026, 12, 23, 15, 59)) == hki(2026, 12, 23, 15, 59)
    assert CAL.next_open_instant(hki(2026, 12, 31, 23, 59)) == hki(2027, 1, 4, 8)
    assert CAL.next_open_instant(hki(2026, 3, 3, 7, 59, 59)) == hki(2026, 3, 3, 8)


def test_local_closure_days_are_closed() -> None:
    closed = calendar_for(DEFAULT_HOURS, frozenset({date(2026, 3, 4)}))
    assert closed.add_business_minutes(hki(2026, 3, 3, 15), 120) == hki(2026, 3, 5, 9)
    assert CAL.add_business_minutes(hki(2026, 3, 3, 15), 120) == hki(2026, 3, 4, 9)


def test_an_authority_may_keep_its_own_hours() -> None:
    hours = WeeklyHours.parse(
        {"mon": "08:00-16:00", "tue": "08:00-16:00", "wed": "09:00-17:00", "fri": "08:00-15:00"}
    )
    own = BusinessCalendar(hours)
    assert own.add_business_minutes(hki(2026, 3, 6, 14), 60) == hki(2026, 3, 6, 15)  # Friday
    assert own.add_business_minutes(hki(2026, 3, 6, 14), 61) == hki(2026, 3, 9, 8, 1)
    assert own.add_business_minutes(hki(2026, 3, 4, 8, 30), 30) == hki(2026, 3, 4, 9, 30)
    assert not own.is_open_day(date(2026, 3, 5))  # Thursday not listed: closed
    assert hours.as_mapping()["fri"] == "08:00-15:00"


@pytest.mark.parametrize(
    "mapping",
    [
        {"mon": "16:00-08:00"},
        {"mon": "8-16"},
        {"funday": "08:00-16:00"},
        {"mon": "25:00-26:00"},
        {},
    ],
)
def test_unusable_hours_are_refused(mapping: dict[str, str]) -> None:
    with pytest.raises(CalendarError):
        WeeklyHours.parse(mapping)


def test_negative_time_and_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        CAL.add_business_minutes(hki(2026, 3, 3, 9), -1)
    with pytest.raises(ValueError, match="naive"):
        CAL.add_business_minutes(datetime(2026, 3, 3, 9), 1)


def test_long_spans_and_years_far_away() -> None:
    # A year of business days from a Monday morning, and the same backwards.
    start = hki(2026, 1, 5, 8)
    due = CAL.add_business_minutes(start, 250 * 480)
    assert CAL.business_minutes_between(start, due) == 250 * 480
    assert CAL.subtract_business_time(due, timedelta(minutes=250 * 480)) == start
    assert CAL.add_business_minutes(hki(2045, 6, 1, 9), 60) == hki(2045, 6, 1, 10)


# --- properties, checked against a naive day-by-day model ---------------------------------


def naive_add(start: datetime, minutes: int) -> datetime:
    """A slow, obvious model: walk day by day through the default windows."""
    remaining = timedelta(minutes=minutes)
    local = start.astimezone(HELSINKI)
    day = local.date()
    open_today = day.weekday() < 5 and day not in finnish_holidays(day.year)
    if minutes == 0 and open_today and local.timetz().replace(tzinfo=None) == time(16):
        return local  # closing time itself stays put
    cursor = local
    while True:
        open_day = day.weekday() < 5 and day not in finnish_holidays(day.year)
        if open_day:
            opens = datetime.combine(day, time(8), tzinfo=HELSINKI)
            closes = datetime.combine(day, time(16), tzinfo=HELSINKI)
            begin = max(cursor, opens)
            if begin < closes:
                if remaining == timedelta(0):
                    return begin
                available = closes - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += timedelta(days=1)
        cursor = datetime.combine(day, time(0), tzinfo=HELSINKI)


instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
minutes = st.integers(min_value=0, max_value=25 * 480)


@settings(max_examples=300, deadline=None)
@given(instants, minutes)
def test_add_agrees_with_the_naive_model(start: datetime, m: int) -> None:
    assert CAL.add_business_minutes(start, m) == naive_add(start, m)


@settings(max_examples=300, deadline=None)
@given(instants, st.integers(min_value=1, max_value=25 * 480))
def test_due_time_is_inside_business_hours_or_exactly_at_closing(start: datetime, m: int) -> None:
    due = CAL.add_business_minutes(start, m)
    window = CAL.window(due.date())
    assert window is not None
    assert window[0] < due <= window[1]
    assert due > start


@settings(max_examples=300, deadline=None)
@given(instants, minutes, minutes)
def test_adding_a_then_b_equals_adding_a_plus_b(start: datetime, a: int, b: int) -> None:
    assert CAL.add_business_minutes(CAL.add_business_minutes(start, a), b) == (
        CAL.add_business_minutes(start, a + b)
    )


@settings(max_examples=300, deadline=None)
@given(instants, minutes, minutes)
def test_adding_is_monotonic_and_between_inverts_it(start: datetime, a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert CAL.add_business_minutes(start, low) <= CAL.add_business_minutes(start, high)
    assert CAL.business_minutes_between(start, CAL.add_business_minutes(start, a)) == a


@settings(max_examples=300, deadline=None)
@given(instants, st.integers(min_value=1, max_value=25 * 480))
def test_subtracting_inverts_adding(end: datetime, m: int) -> None:
    start = CAL.subtract_business_time(end, timedelta(minutes=m))
    assert CAL.business_minutes_between(start, end) == m
    assert CAL.is_open(start)


@settings(max_examples=200, deadline=None)
@given(instants, instants, instants)
def test_between_is_additive(a: datetime, b: datetime, c: datetime) -> None:
    ab = CAL.business_time_between(a, b)
    bc = CAL.business_time_between(b, c)
    assert ab + bc == CAL.business_time_between(a, c)
    assert CAL.business_time_between(b, a) == -ab


def test_the_calendar_is_fast() -> None:
    """Each call is a binary search; the sweep and reports call it a lot."""
    import time as clock

    start = datetime(2026, 5, 4, 7, tzinfo=UTC)
    CAL.add_business_minutes(start, 9600)
    began = clock.perf_counter()
    for i in range(20_000):
        CAL.add_business_minutes(start + timedelta(minutes=i), 9600)
    per_call = (clock.perf_counter() - began) / 20_000
    assert per_call < 200e-6, f"{per_call * 1e6:.1f} µs per call"
