"""The business calendar: when the desk is open, and business time between instants.

Default: Monday to Friday 08:00-16:00 Europe/Helsinki (each authority may have its own
weekly hours), closed on Finnish public holidays (Midsummer Eve and Christmas Eve included)
and on local closure days that administrators add.

Semantics:
- Business time is real elapsed time inside opening windows; anything outside them does not
  count. A clock started while closed therefore starts at the next open instant.
- A deadline that lands exactly at closing time stays on that day (16:00, not 08:00 next day).
- Instants are timezone-aware; windows are built in the calendar's zone with zoneinfo, so
  daylight-saving changes are handled by the zone database, not by arithmetic on offsets.

Speed: the sweep and the reports call this a lot. A calendar builds, per block of years, the
opening windows as integer microseconds since the epoch plus a running sum of open time, so
every question is a binary search (no day-by-day loops) and answers are exact to the
microsecond. Holiday sets are cached per year, calendars per (hours, closures).
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo

import holidays as holidays_package

# The desk's one time zone: business rules run in Helsinki time. Defined here only; every
# other module (services, web, workers, Celery's and Babel's settings) imports it.
HELSINKI: Final = ZoneInfo("Europe/Helsinki")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
US_PER_MINUTE = 60_000_000
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Years of windows built at a time; a calendar never needs more than a few.
_BLOCK_YEARS = 2
_MAX_SPAN_YEARS = 60
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class CalendarError(ValueError):
    """The calendar's configuration cannot be used (e.g. it is never open)."""


@dataclass(frozen=True)
class WeeklyHours:
    """Opening window per weekday (Monday = 0); None means closed all day."""

    windows: tuple[tuple[time, time] | None, ...]

    def __post_init__(self) -> None:
        if len(self.windows) != 7:
            raise CalendarError("weekly hours need exactly seven days")
        for window in self.windows:
            if window is not None and not window[0] < window[1]:
                raise CalendarError(f"opening must be before closing: {window}")
        if all(window is None for window in self.windows):
            raise CalendarError("the calendar is never open")

    def window(self, day: date) -> tuple[time, time] | None:
        """The opening window of the day's weekday."""
        return self.windows[day.weekday()]

    def as_mapping(self) -> dict[str, str]:
        """{"mon": "08:00-16:00", ...} for open days only (the form of config/sla.toml)."""
        return {
            WEEKDAYS[index]: f"{w[0]:%H:%M}-{w[1]:%H:%M}"
            for index, w in enumerate(self.windows)
            if w is not None
        }

    @classmethod
    def parse(cls, mapping: Mapping[str, str]) -> WeeklyHours:
        """Read {"mon": "08:00-16:00", ...}; weekdays not listed are closed."""
        unknown = set(mapping) - set(WEEKDAYS)
        if unknown:
            raise CalendarError(f"unknown weekdays: {sorted(unknown)}")
        windows: list[tuple[time, time] | None] = []
        for name in WEEKDAYS:
            raw = mapping.get(name)
            if raw is None or not str(raw).strip():
                windows.append(None)
                continue
            match = _HOURS.match(str(raw))
            if not match:
                raise CalendarError(f"{name}: write hours as HH:MM-HH:MM, not {raw!r}")
            h1, m1, h2, m2 = (int(part) for part in match.groups())
            try:
                windows.append((time(h1, m1), time(h2, m2)))
            except ValueError as exc:
                raise CalendarError(f"{name}: {exc}") from exc
        return cls(tuple(windows))


DEFAULT_HOURS = WeeklyHours((*((time(8), time(16)),) * 5, None, None))


def midsummer_eve(year: int) -> date:
    """Juhannusaatto: the Friday between 19 and 25 June."""
    june19 = date(year, 6, 19)
    return june19 + timedelta(days=(4 - june19.weekday()) % 7)


@lru_cache(maxsize=256)
def finnish_holidays(year: int) -> frozenset[date]:
    """Finnish public holidays of the year, with Midsummer Eve and Christmas Eve.

    The `holidays` package lists both eves for Finland; they are added explicitly as well so
    a change in how the package classifies them can never open the desk on those days.
    """
    days = set(holidays_package.country_holidays("FI", years=year).keys())
    days.add(midsummer_eve(year))
    days.add(date(year, 12, 24))
    return frozenset(days)


def _us(instant: datetime) -> int:
    if instant.tzinfo is None:
        raise ValueError("naive datetime given; business time needs timezone-aware instants")
    return (instant - EPOCH) // MICROSECOND


@dataclass(frozen=True)
class _Index:
    """Opening windows of a span of years as epoch microseconds, with running open time."""

    first_year: int
    last_year: int
    opens: list[int]
    closes: list[int]
    cum: list[int]  # cum[i]: open time before window i; len(cum) == len(opens) + 1


class BusinessCalendar:
    """Opening hours, holidays and closure days of one authority, and time arithmetic on them."""

    def __init__(
        self,
        hours: WeeklyHours = DEFAULT_HOURS,
        closures: Iterable[date] = (),
        zone: ZoneInfo = HELSINKI,
    ) -> None:
        self.hours = hours
        self.closures = frozenset(closures)
        self.zone = zone
        self._index: _Index | None = None
        self._lock = threading.Lock()

    # -- days ---------------------------------------------------------------------------

    def is_holiday(self, day: date) -> bool:
        """A Finnish public holiday or a local closure day."""
        return day in self.closures or day in finnish_holidays(day.year)

    def is_open_day(self, day: date) -> bool:
        """The desk is open at some time of the day."""
        return self.hours.window(day) is not None and not self.is_holiday(day)

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's opening window as aware instants in the calendar's zone, or None."""
        hours = self.hours.window(day)
        if hours is None or self.is_holiday(day):
            return None
        return (
            datetime.combine(day, hours[0], tzinfo=self.zone),
            datetime.combine(day, hours[1], tzinfo=self.zone),
        )

    # -- the index ----------------------------------------------------------------------

    def _build(self, first_year: int, last_year: int) -> _Index:
        opens: list[int] = []
        closes: list[int] = []
        cum = [0]
        day = date(first_year, 1, 1)
        end = date(last_year, 12, 31)
        one = timedelta(days=1)
        while day <= end:
            window = self.window(day)
            if window is not None:
                start, stop = _us(window[0]), _us(window[1])
                opens.append(start)
                closes.append(stop)
                cum.append(cum[-1] + (stop - start))
            day += one
        if not opens:
            raise CalendarError(f"the calendar is closed for all of {first_year}-{last_year}")
        return _Index(first_year, last_year, opens, closes, cum)

    def _covering(self, first_year: int, last_year: int) -> _Index:
        """An index whose years include [first_year, last_year] (built or extended once)."""
        index = self._index
        if index is not None and index.first_year <= first_year and last_year <= index.last_year:
            return index
        with self._lock:
            index = self._index
            lo, hi = first_year - 1, last_year + _BLOCK_YEARS
            if index is not None:
                lo, hi = min(lo, index.first_year), max(hi, index.last_year)
            if hi - lo > _MAX_SPAN_YEARS:
                raise CalendarError(f"instants too far apart for one calendar ({lo}-{hi})")
            index = self._build(lo, hi)
            self._index = index
            return index

    def _local_year(self, instant: datetime) -> int:
        return instant.astimezone(self.zone).year

    @staticmethod
    def _position(index: _Index, t: int) -> int:
        """Open time (µs) from the start of the index to instant t."""
        i = bisect_right(index.opens, t) - 1
        if i < 0:
            return 0
        if t < index.closes[i]:
            return index.cum[i] + (t - index.opens[i])
        return index.cum[i + 1]

    def _to_instant(self, t: int) -> datetime:
        return (EPOCH + timedelta(microseconds=t)).astimezone(self.zone)

    # -- questions ----------------------------------------------------------------------

    def is_open(self, instant: datetime) -> bool:
        """The desk is open at this instant (opening time inclusive, closing time exclusive)."""
        year = self._local_year(instant)
        index = self._covering(year, year)
        t = _us(instant)
        i = bisect_right(index.opens, t) - 1
        return i >= 0 and t < index.closes[i]

    def next_open_instant(self, instant: datetime) -> datetime:
        """The instant itself when open, else the next opening time."""
        year = self._local_year(instant)
        t = _us(instant)
        while True:
            index = self._covering(year, year)
            i = bisect_right(index.opens, t) - 1
            if i >= 0 and t < index.closes[i]:
                return instant.astimezone(self.zone)
            if i + 1 < len(index.opens):
                return self._to_instant(index.opens[i + 1])
            year = index.last_year + 1

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Open time from start to end (negative when end is before start)."""
        t1, t2 = _us(start), _us(end)
        y1, y2 = sorted((self._local_year(start), self._local_year(end)))
        index = self._covering(y1, y2)
        return timedelta(microseconds=self._position(index, t2) - self._position(index, t1))

    def business_minutes_between(self, start: datetime, end: datetime) -> float:
        """Open minutes from start to end (fractions of a minute kept)."""
        return self.business_time_between(start, end) / timedelta(minutes=1)

    def add_business_time(self, start: datetime, amount: timedelta) -> datetime:
        """The instant when `amount` of open time has passed after start.

        Zero gives the next open instant, except that closing time itself stays put (so that
        adding a and then b always equals adding a + b); a result exactly at closing time
        stays on that day.
        """
        if amount < timedelta(0):
            raise ValueError("business time to add must not be negative")
        if amount == timedelta(0):
            window = self.window(start.astimezone(self.zone).date())
            if window is not None and start == window[1]:
                return start.astimezone(self.zone)
            return self.next_open_instant(start)
        need = amount // MICROSECOND
        t = _us(start)
        year = self._local_year(start)
        last = year
        while True:
            index = self._covering(year, last)
            target = self._position(index, t) + need
            if target <= index.cum[-1]:
                # The window j with cum[j] < target <= cum[j + 1]: "<=" keeps closing time.
                j = bisect_left(index.cum, target) - 1
                return self._to_instant(index.opens[j] + (target - index.cum[j]))
            # Roughly how many more years the remaining open time needs, at least one.
            yearly = max(1, index.cum[-1] // (index.last_year - index.first_year + 1))
            last = index.last_year + max(1, -(-(target - index.cum[-1]) // yearly))

    def add_business_minutes(self, start: datetime, minutes: float) -> datetime:
        """The instant when `minutes` business minutes have passed after start."""
        if minutes < 0:
            raise ValueError("business minutes to add must not be negative")
        return self.add_business_time(start, timedelta(minutes=minutes))

    def subtract_business_time(self, end: datetime, amount: timedelta) -> datetime:
        """The latest instant from which `amount` of open time passes until end."""
        if amount < timedelta(0):
            raise ValueError("business time to subtract must not be negative")
        if amount == timedelta(0):
            return end.astimezone(self.zone)
        need = amount // MICROSECOND
        t = _us(end)
        year = self._local_year(end)
        first = year
        while True:
            index = self._covering(first, year)
            target = self._position(index, t) - need
            if target >= 0:
                # The window j with cum[j] <= target < cum[j + 1]: an opening, not a closing.
                j = bisect_right(index.cum, target) - 1
                return self._to_instant(index.opens[j] + (target - index.cum[j]))
            yearly = max(1, index.cum[-1] // (index.last_year - index.first_year + 1))
            shortfall = -target
            first = index.first_year - max(1, -(-shortfall // yearly))


@lru_cache(maxsize=64)
def calendar_for(
    hours: WeeklyHours = DEFAULT_HOURS, closures: frozenset[date] = frozenset()
) -> BusinessCalendar:
    """A shared calendar for these hours and closure days (its index is built once)."""
    return BusinessCalendar(hours, closures)


def default_calendar() -> BusinessCalendar:
    """Monday to Friday 08:00-16:00 Europe/Helsinki with Finnish public holidays."""
    return calendar_for(DEFAULT_HOURS, frozenset())
