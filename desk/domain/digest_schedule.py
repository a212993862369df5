"""When the daily digest goes out.

Beat fires every day at DIGEST_HOUR:DIGEST_MINUTE Helsinki time (the configuration; 08:00 by
default). A person's digest goes out only on a business day of their authority's business
calendar, the one the SLA engine measures on (desk.domain.business_calendar): its weekly
hours, Finnish public holidays (Midsummer Eve and Christmas Eve included) and the closure
days administrators keep. There is no other holiday list.
"""

from __future__ import annotations

from datetime import date, datetime

from desk.domain.business_calendar import HELSINKI, BusinessCalendar


def is_business_day(calendar: BusinessCalendar, day: date) -> bool:
    """The calendar's desk is open at some time of the day (so a digest goes out)."""
    return calendar.is_open_day(day)


def helsinki_date(moment: datetime) -> date:
    """The calendar day in Helsinki at an instant (timezone-aware)."""
    return moment.astimezone(HELSINKI).date()
