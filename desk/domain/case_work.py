"""Pure rules of working a case: resolution categories and the follow-up date."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from enum import StrEnum

from desk.domain.business_calendar import HELSINKI
from desk.domain.errors import FieldErrors


class ResolutionCategory(StrEnum):
    """How a case was resolved (cases.resolution_category), for employer services."""

    ADVICE_GIVEN = "advice_given"  # the employer got the advice or information they needed
    SERVICE_PROVIDED = "service_provided"  # e.g. recruitment help, a training arranged
    REFERRED = "referred"  # sent on to another service or authority
    NO_ACTION_NEEDED = "no_action_needed"
    NO_RESPONSE = "no_response"  # the employer did not answer a request for information
    DUPLICATE = "duplicate"
    WITHDRAWN = "withdrawn"  # the employer withdrew the request
    OTHER = "other"


# A follow-up without a time of day is due at the start of that business morning.
DEFAULT_FOLLOW_UP_TIME = time(9, 0)


class InvalidFollowUp(FieldErrors):
    """The follow-up date or time is invalid; errors maps field (follow_up_date,
    follow_up_time) to a code (required, invalid, past)."""


def parse_follow_up(day_text: str, time_text: str, now: datetime) -> datetime:
    """The follow-up moment (UTC) for a Helsinki date and optional time, on or after today.

    Raises InvalidFollowUp: the date is required and in the form YYYY-MM-DD, the time HH:MM;
    a date before today (Helsinki) is "past", and so is a time already gone today.
    """
    errors: dict[str, str] = {}
    day: date | None = None
    clock: time | None = DEFAULT_FOLLOW_UP_TIME
    day_text, time_text = day_text.strip(), time_text.strip()
    if not day_text:
        errors["follow_up_date"] = "required"
    else:
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            errors["follow_up_date"] = "invalid"
        if day is not None and not 2000 <= day.year <= 2100:
            errors["follow_up_date"] = "invalid"
            day = None
    if time_text:
        try:
            clock = time.fromisoformat(time_text)
        except ValueError:
            errors["follow_up_time"] = "invalid"
            clock = None
        if clock is not None and (len(time_text) != 5 or clock.tzinfo is not None):
            errors["follow_up_time"] = "invalid"
            clock = None
    today = now.astimezone(HELSINKI).date()
    if day is not None and day < today:
        errors["follow_up_date"] = "past"
    if errors or day is None or clock is None:
        raise InvalidFollowUp(errors)
    at = datetime.combine(day, clock, tzinfo=HELSINKI).astimezone(UTC)
    if time_text and at < now:
        raise InvalidFollowUp({"follow_up_time": "past"})
    return at
