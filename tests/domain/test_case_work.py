"""The follow-up date's rules and the resolution categories (no database)."""

from datetime import UTC, datetime

import pytest

from desk.domain.case_work import InvalidFollowUp, ResolutionCategory, parse_follow_up

# 10:00 on Tuesday 1 December 2026 in Helsinki (UTC+2).
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def errors(day: str, time: str = "") -> dict[str, str]:
    with pytest.raises(InvalidFollowUp) as info:
        parse_follow_up(day, time, NOW)
    return info.value.errors


def test_a_date_alone_is_nine_in_the_morning_helsinki_time() -> None:
    assert parse_follow_up("2026-12-03", "", NOW) == datetime(2026, 12, 3, 7, 0, tzinfo=UTC)


def test_a_time_is_helsinki_time_also_in_summer() -> None:
    assert parse_follow_up("2027-06-01", "14:30", NOW) == datetime(2027, 6, 1, 11, 30, tzinfo=UTC)


def test_today_is_allowed_but_not_a_time_already_gone() -> None:
    assert parse_follow_up("2026-12-01", "", NOW) == datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
    assert parse_follow_up("2026-12-01", "16:00", NOW) == datetime(2026, 12, 1, 14, tzinfo=UTC)
    assert errors("2026-12-01", "09:59") == {"follow_up_time": "past"}


@pytest.mark.parametrize(
    ("day", "time", "expected"),
    [
        ("", "", {"follow_up_date": "required"}),
        ("1.12.2026", "", {"follow_up_date": "invalid"}),
        ("2026-11-30", "", {"follow_up_date": "past"}),
        ("3026-01-01", "", {"follow_up_date": "invalid"}),
        ("2026-12-02", "9", {"follow_up_time": "invalid"}),
        ("2026-12-02", "25:00", {"follow_up_time": "invalid"}),
        ("", "10:00", {"follow_up_date": "required"}),
    ],
)
def test_invalid_input_names_the_field(day: str, time: str, expected: dict[str, str]) -> None:
    assert errors(day, time) == expected


def test_the_categories_are_stable_codes() -> None:
    assert "advice_given" in set(ResolutionCategory)
    assert all(len(category.value) <= 30 for category in ResolutionCategory)
