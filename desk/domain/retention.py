"""Retention periods in calendar months, and the placeholder of anonymised personal data."""

from __future__ import annotations

import calendar
from datetime import datetime

PLACEHOLDER = "[anonymised]"


def months_before(instant: datetime, months: int) -> datetime:
    """The same instant `months` calendar months earlier (the 31st becomes the month's last)."""
    total = instant.year * 12 + (instant.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    day = min(instant.day, calendar.monthrange(year, month)[1])
    return instant.replace(year=year, month=month, day=day)
