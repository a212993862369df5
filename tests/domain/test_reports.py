"""The pure parts of the reports: the period's instants, rounding and percentiles."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, date, datetime

import pytest

from desk.domain.reports import PeriodError, compliance, percentile, period, round1


def test_the_period_is_helsinki_midnight_to_midnight_across_dst() -> None:
    span = period(date(2026, 3, 1), date(2026, 4, 30))
    assert span.start.astimezone(UTC) == datetime(2026, 2, 28, 22, tzinfo=UTC)  # EET, +02
    assert span.end.astimezone(UTC) == datetime(2026, 4, 30, 21, tzinfo=UTC)  # EEST, +03
    one_day = period(date(2026, 3, 29), date(2026, 3, 29))  # the day the clocks move
    assert (one_day.end - one_day.start).total_seconds() == 23 * 3600


@pytest.mark.parametrize(
    ("date_from", "date_to", "field", "code"),
    [
        (date(2026, 2, 1), date(2026, 1, 31), "to", "before_from"),
        (date(1999, 12, 31), date(2026, 1, 1), "from", "out_of_range"),
        (date(2026, 1, 1), date(9999, 12, 31), "to", "out_of_range"),
    ],
)
def test_a_bad_period_names_its_field(date_from, date_to, field, code) -> None:
    with pytest.raises(PeriodError) as caught:
        period(date_from, date_to)
    assert (caught.value.field, caught.value.code) == (field, code)


@pytest.mark.parametrize(
    ("met", "breached", "expected"),
    [
        (0, 0, None),
        (1, 0, 100.0),
        (0, 3, 0.0),
        (2, 1, 66.7),
        (1, 2, 33.3),
        (1, 7, 12.5),
        (1, 15, 6.3),  # 6.25: half away from zero (round() would give 6.2)
        (3, 5, 37.5),
        (5, 4, 55.6),
        (4, 5, 44.4),
    ],
)
def test_compliance_rounds_half_away_from_zero(met, breached, expected) -> None:
    assert compliance(met, breached) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (0.25, 0.3),
        (2.675, 2.7),
        (0.05, 0.1),
        (1110.0000000001, 1110.0),
        (-0.25, -0.3),
    ],
)
def test_round1_is_half_away_from_zero_on_the_decimal_written(value, expected) -> None:
    assert round1(value) == expected


def test_percentile_of_nothing_is_none_and_of_one_is_it() -> None:
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([60, 120, 240, 480, 540, 600], 0.5) == 360
    assert percentile([60, 120, 240, 480, 540, 600], 0.9) == pytest.approx(570)


def test_percentile_interpolates_as_statistics_inclusive() -> None:
    rng = random.Random(10)
    for n in range(2, 40):
        values = [rng.uniform(0, 5000) for _ in range(n)]
        # quantiles(n=10, inclusive) are the 10th..90th percentiles; n=2 gives the median.
        deciles = statistics.quantiles(values, n=10, method="inclusive")
        assert percentile(values, 0.9) == pytest.approx(deciles[-1])
        assert percentile(values, 0.5) == pytest.approx(statistics.median(values))
        assert percentile(values, 0.5) == pytest.approx(
            statistics.quantiles(values, n=2, method="inclusive")[0]
        )


def test_percentile_refuses_a_fraction_outside_0_1() -> None:
    with pytest.raises(ValueError):
        percentile([1.0], 1.5)
