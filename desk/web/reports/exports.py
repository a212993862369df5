"""The dashboard's tables as CSV and XLSX: the report's figures, and the case rows on request.

Column names are stable codes (for spreadsheets and scripts that read them); minutes are
business minutes and compliance a percentage, both as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from openpyxl import Workbook

from desk.services.reports.case_rows import COLUMNS as CASE_COLUMNS
from desk.services.reports.case_rows import CaseRow
from desk.services.reports.sla_report import Figures, SlaReport

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


def workbook(
    figures: list[tuple[Any, ...]],
    cases: Iterable[tuple[Any, ...]] | None,
    titles: tuple[str, str],
) -> bytes:
    """An XLSX file: the figures sheet and, when given, the cases sheet (header rows first)."""
    book = Workbook(write_only=True)  # rows go to a temporary file, not all kept in memory
    sheet = book.create_sheet(titles[0])
    sheet.append(list(FIGURE_COLUMNS))
    for row in figures:
        sheet.append(list(row))
    if cases is not None:
        sheet = book.create_sheet(titles[1])
        sheet.append(list(CASE_COLUMNS))
        for values in cases:
            sheet.append(list(values))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
