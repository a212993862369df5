"""The pure parts of the reports: a period of Helsinki dates, the SLA measures' definitions,
compliance rounding and the percentile interpolation the database computes.

The definitions below are written once; the CLI, the API document and the README quote them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from desk.domain.business_calendar import HELSINKI

# Reports are asked for dates a person would type; outside these years a period is a typo
# (and far dates would overflow the UTC conversion).
FIRST_YEAR: Final = 2000
LAST_YEAR: Final = 2100

MEASURES: Final[dict[str, str]] = {
    "period": (
        "Dates from..to inclusive in Europe/Helsinki time: the UTC instants "
        "[from 00:00 Helsinki, to + 1 day 00:00 Helsinki)."
    ),
    "received": "Cases received (created) in the period.",
    "resolved": (
        "Cases whose resolution target was met in the period (its met_at: the instant the "
        "resolution clock stopped; a reopened case is not resolved until resolved again)."
    ),
    "authority": "The host authority of the case's team, not the case's own authority.",
    "first_response": (
        "The first public staff message (a reply or a request for information); due at the "
        "received instant plus the target in business time."
    ),
    "resolution": (
        "The resolution clock runs from received, stops while waiting for the employer, runs "
        "again when the employer answers and stops at resolution; due where the running clock "
        "reaches the target (a case that waits for ever never reaches it)."
    ),
    "met": (
        "Targets completed in the period on time: completed at or before the due instant (an "
        "answer at the very due instant is on time), or completed while the clock was stopped "
        "short of its target."
    ),
    "breached": (
        "Targets whose due instant is in the period and has passed (before now) with nothing "
        "completing them by then; an unmet paused target only if it was paused at or after "
        "its due instant."
    ),
    "compliance": (
        "met / (met + breached) * 100, rounded half away from zero to one decimal; null when "
        "nothing counted."
    ),
    "minutes": (
        "Business minutes on the running clock of the met target, over cases first answered "
        "(first_response_minutes) or resolved (resolution_minutes) in the period: median and "
        "90th percentile as PostgreSQL's percentile_cont (linear interpolation at p * (n - 1)), "
        "rounded half away from zero to one decimal; null when there are none."
    ),
}

PERCENTILES: Final = (0.5, 0.9)


class PeriodError(ValueError):
    """A period that cannot be reported: `field` and a stable error `code`."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


@dataclass(frozen=True)
class Period:
    """Dates from..to inclusive and the UTC instants [start, end) they cover."""

    date_from: date
    date_to: date
    start: datetime
    end: datetime


def _midnight(day: date) -> datetime:
    # In UTC: Python subtracts two times of one zone on the wall clock, which would make
    # the day the clocks move 24 hours long.
    return datetime.combine(day, time(0), tzinfo=HELSINKI).astimezone(UTC)


def period(date_from: date, date_to: date) -> Period:
    """The period's instants: from 00:00 Helsinki to the day after `to` 00:00 Helsinki.

    Raises PeriodError("from"/"to", "out_of_range") outside FIRST_YEAR..LAST_YEAR and
    PeriodError("to", "before_from") when to < from.
    """
    for name, day in (("from", date_from), ("to", date_to)):
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise PeriodError(name, "out_of_range")
    if date_to < date_from:
        raise PeriodError("to", "before_from")
    # Midnight is unambiguous in Helsinki (DST changes at 03:00/04:00), so no fold is needed.
    return Period(date_from, date_to, _midnight(date_from), _midnight(date_to + timedelta(days=1)))


def round1(value: float | None) -> float | None:
    """Round to one decimal, half away from zero (Python's round() rounds half to even)."""
    if value is None:
        return None
    quantized = Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(quantized)


def compliance(met: int, breached: int) -> float | None:
    """met / (met + breached) * 100 to one decimal (half away from zero), None if both 0."""
    counted = met + breached
    if counted == 0:
        return None
    # Exact arithmetic: 2/3 -> 66.7, 1/8 -> 12.5, and x.x5 never suffers binary drift.
    share = Decimal(met) * 100 / Decimal(counted)
    return float(share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def percentile(values: Sequence[float], p: float) -> float | None:
    """percentile_cont(p): linear interpolation at position p * (n - 1) of the sorted values."""
    if not values:
        return None
    if not 0 <= p <= 1:
        raise ValueError("p is a fraction from 0 to 1")
    ordered = sorted(values)
    position = p * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    fraction = position - low
    return ordered[low] + (ordered[high] - ordered[low]) * fraction
