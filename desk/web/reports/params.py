"""The report pages' query parameters: parsed into dates, or into error codes per field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from desk.domain.business_calendar import HELSINKI
from desk.domain.reports import FIRST_YEAR, LAST_YEAR
from desk.services.reports.filters import ReportFilters


def helsinki_today() -> date:
    """Today in Helsinki, where the desk's days are."""
    return datetime.now(HELSINKI).date()


def quarter_start(day: date) -> date:
    """The first day of the day's quarter."""
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


@dataclass
class Query:
    """A report's period and authority as asked, the typed values, and any error codes."""

    date_from: date
    date_to: date
    authority: str | None
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    filters: ReportFilters = field(default_factory=ReportFilters)


# The filters' parameter names (the service checks that their values exist).
FILTERS = ("team", "need", "municipality", "language", "adviser")


def _date(raw: str, fallback: date, name: str, errors: dict[str, str]) -> date:
    if not raw:
        return fallback
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = "invalid"
        return fallback


def dashboard_query(args: Mapping[str, str]) -> Query:
    """from, to (YYYY-MM-DD; default: the current quarter so far), authority (a slug) and the
    filters: team (slug), need, municipality (codes), language (fi/sv/en), adviser (user id)."""
    today = helsinki_today()
    values = {name: args.get(name, "").strip() for name in ("from", "to", "authority", *FILTERS)}
    errors: dict[str, str] = {}
    date_from = _date(values["from"], quarter_start(today), "from", errors)
    date_to = _date(values["to"], today, "to", errors)
    values["from"], values["to"] = (
        values["from"] or date_from.isoformat(),
        values["to"] or (date_to.isoformat()),
    )
    adviser = values["adviser"]
    if adviser and not adviser.isdigit():
        errors["adviser"] = "invalid"
    filters = ReportFilters(
        team=values["team"] or None,
        need=values["need"] or None,
        municipality=values["municipality"] or None,
        language=values["language"] or None,
        adviser=int(adviser) if adviser.isdigit() else None,
    )
    return Query(date_from, date_to, values["authority"] or None, values, errors, filters)


@dataclass
class SteeringQuery:
    """The steering report's year and optional quarter, their dates, and any error codes."""

    year: int
    quarter: int | None
    date_from: date
    date_to: date
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)


def steering_query(args: Mapping[str, str]) -> SteeringQuery:
    """year (default this year) and quarter (1-4; empty: the whole year; default this one)."""
    today = helsinki_today()
    raw_year = args.get("year", "").strip()
    raw_quarter = args.get("quarter", "").strip() if "quarter" in args else None
    errors: dict[str, str] = {}
    year = today.year
    if raw_year:
        if raw_year.isdigit() and FIRST_YEAR <= int(raw_year) <= LAST_YEAR:
            year = int(raw_year)
        else:
            errors["year"] = "invalid"
    quarter: int | None = (today.month - 1) // 3 + 1 if raw_quarter is None else None
    if raw_quarter:
        if raw_quarter in {"1", "2", "3", "4"}:
            quarter = int(raw_quarter)
        else:
            errors["quarter"] = "invalid"
            quarter = None
    if quarter is None:
        date_from, date_to = date(year, 1, 1), date(year, 12, 31)
    else:
        date_from = date(year, 3 * (quarter - 1) + 1, 1)
        next_start = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
        date_to = date.fromordinal(next_start.toordinal() - 1)
    values = {"year": raw_year or str(year), "quarter": str(quarter) if quarter else ""}
    return SteeringQuery(year, quarter, date_from, date_to, values, errors)
