"""The dashboard's tables as CSV and XLSX: the report's figures, and the case rows on request.

Column names are stable codes (for spreadsheets and scripts that read them); minutes are
business minutes and compliance a percentage, both as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from openpyxl import Workbook

from desk.domain.business_calendar import HELSINKI
from desk.services.reports.backlog import AGE_KEYS, STATES, Backlog, Workload
from desk.services.reports.breaches import Breaches, NeedBreaches, Transfers
from desk.services.reports.case_rows import COLUMNS as CASE_COLUMNS
from desk.services.reports.case_rows import CaseRow
from desk.services.reports.sla_report import Figures, SlaReport
from desk.services.reports.trends import Bucket, Trend

FIGURE_COLUMNS = (
    "level",
    "slug",
    "name",
    "received",
    "resolved",
    "first_response_met",
    "first_response_breached",
    "first_response_compliance",
    "first_response_median_minutes",
    "first_response_p90_minutes",
    "resolution_met",
    "resolution_breached",
    "resolution_compliance",
    "resolution_median_minutes",
    "resolution_p90_minutes",
)


def _measures(f: Figures) -> tuple[Any, ...]:
    return (
        f.received,
        f.resolved,
        f.first_response.met,
        f.first_response.breached,
        f.first_response.compliance,
        f.first_response_minutes.median,
        f.first_response_minutes.p90,
        f.resolution.met,
        f.resolution.breached,
        f.resolution.compliance,
        f.resolution_minutes.median,
        f.resolution_minutes.p90,
    )


def figure_rows(report: SlaReport, names: dict[str, str], total: str) -> list[tuple[Any, ...]]:
    """The total, each authority, then each team (level, slug, name, measures...)."""
    rows: list[tuple[Any, ...]] = [("total", "", total, *_measures(report.total))]
    for level, table in (("authority", report.authorities), ("team", report.teams)):
        rows += [(level, slug, names.get(slug, slug), *_measures(f)) for slug, f in table.items()]
    return rows


def _csv_line(values: Iterable[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(["" if v is None else v for v in values])
    return buffer.getvalue()


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """A CSV file line by line (a BOM first, so spreadsheet programs read it as UTF-8)."""
    yield "\ufeff" + _csv_line(header)
    for row in rows:
        yield _csv_line(row)


def case_values(rows: Iterable[CaseRow]) -> Iterator[tuple[Any, ...]]:
    """The case rows' values in CASE_COLUMNS order."""
    return (row.values() for row in rows)


# --- the dashboard's other tables, each as its own sheet (or CSV with ?table=) -----------

Table = tuple[tuple[str, ...], list[tuple[Any, ...]]]


def trend_table(trend: Trend) -> Table:
    """The weekly trend: ISO week, its dates, received, resolved, both compliances."""
    columns = (
        "year",
        "week",
        "from",
        "to",
        "received",
        "resolved",
        "first_response_compliance",
        "resolution_compliance",
    )
    return columns, [
        (
            w.year,
            w.week,
            w.date_from,
            w.date_to,
            w.received,
            w.resolved,
            w.first_response_compliance,
            w.resolution_compliance,
        )
        for w in trend.weeks
    ]


def distribution_table(buckets: Iterable[Bucket]) -> Table:
    """First responses per bucket of business minutes (high is exclusive; empty: no bound)."""
    return ("low_minutes", "high_minutes", "first_responses"), [
        (b.low, b.high, b.count) for b in buckets
    ]


def backlog_table(backlog: Backlog) -> Table:
    """Open cases by age bucket and SLA state."""
    return ("age", *STATES), [(age, *backlog.row(age)) for age in AGE_KEYS]


def breaches_by_need_table(found: Iterable[NeedBreaches]) -> Table:
    """Breaches per need: counts, the team with the most, the oldest due instant."""
    columns = ("need", "breached", "first_response", "resolution", "top_team", "oldest_due")
    return columns, [
        (n.need, n.total, n.first_response, n.resolution, n.top_team, _naive(n.earliest_due))
        for n in found
    ]


def breaches_table(breaches: Breaches) -> Table:
    """The listed breaches (at most MAX_BREACHES; the case rows export has them all)."""
    columns = ("reference", "team", "need", "target", "due", "late_minutes")
    return columns, [
        (
            b.reference,
            b.team,
            b.need,
            b.target,
            _naive(b.due_at),
            round(b.late.total_seconds() / 60, 1),
        )
        for b in breaches.rows
    ]


def transfers_table(transfers: dict[str, Transfers] | None) -> Table:
    """Transfers into and out of each authority."""
    return ("authority", "transferred_in", "transferred_out"), [
        (slug, t.into, t.out) for slug, t in (transfers or {}).items()
    ]


def workload_table(loads: Iterable[Workload]) -> Table:
    """Open cases per adviser, and how many of them are breached."""
    return ("adviser", "open", "breached"), [(w.name, w.open, w.breached) for w in loads]


def _naive(instant: datetime) -> datetime:
    """Helsinki wall-clock time: spreadsheets cannot hold a time zone."""
    return instant.astimezone(HELSINKI).replace(tzinfo=None)


def tables_workbook(
    figures: list[tuple[Any, ...]],
    tables: list[tuple[str, Table]],
    cases: Iterable[tuple[Any, ...]] | None,
    titles: tuple[str, str],
) -> bytes:
    """An XLSX file: the figures, one sheet per table of the dashboard, then the cases."""
    book = Workbook(write_only=True)
    for title, (columns, rows) in [(titles[0], (FIGURE_COLUMNS, figures)), *tables]:
        sheet = book.create_sheet(title[:31])  # Excel's limit for a sheet name
        sheet.append(list(columns))
        for row in rows:
            sheet.append(list(row))
    if cases is not None:
        sheet = book.create_sheet(titles[1][:31])
        sheet.append(list(CASE_COLUMNS))
        for values in cases:
            sheet.append(list(values))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
