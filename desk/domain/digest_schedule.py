"""When the daily digest goes out: business days (Monday to Friday, not a Finnish public
holiday) at 08:00 Helsinki time. Beat fires every day at 08:00; this decides whether to send.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Final

import holidays

from desk.domain.business_calendar import HELSINKI

DIGEST_HOUR: Final = 8
DIGEST_MINUTE: Final = 0


@lru_cache(maxsize=16)
def _finnish_holidays(year: int) -> holidays.HolidayBase:
    # The package's Finland calendar includes Midsummer Eve and Christmas Eve.
    return holidays.country_holidays("FI", years=year)


def is_business_day(day: date) -> bool:
    """Monday to Friday and not a Finnish public holiday.

    The SLA engine's business calendar adds local closure days kept by administrators;
    once merged, the digest should ask that calendar instead (one calendar for the desk).
    """
    return day.weekday() < 5 and day not in _finnish_holidays(day.year)


def helsinki_date(moment: datetime) -> date:
    """The calendar day in Helsinki at an instant (timezone-aware)."""
    return moment.astimezone(HELSINKI).date()
