"""The report pages: parse the query, ask the report services, render (or export)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import chain, islice, pairwise
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    has_request_context,
    render_template,
    request,
    stream_with_context,
)
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from desk.domain.errors import FieldErrors
from desk.services import access, audit
from desk.services.reports import reference
from desk.services.reports.backlog import (
    AGE_KEYS,
    STATES,
    Backlog,
    Workload,
    open_backlog,
    workload,
)
from desk.services.reports.breaches import (
    Breaches,
    NeedBreaches,
    Transfers,
    authority_transfers,
    breach_list,
    breaches_by_need,
)
from desk.services.reports.case_rows import COLUMNS as CASE_COLUMNS
from desk.services.reports.case_rows import case_rows
from desk.services.reports.filters import filter_choices
from desk.services.reports.sla_report import SlaReport, sla_report
from desk.services.reports.trends import (
    BUCKET_BOUNDS,
    Bucket,
    Trend,
    first_response_distribution,
    weekly_trend,
)
from desk.services.survey import SurveySummary, survey_summary
from desk.web.auth.roles import current_actor, reports_required, team_reports_required
from desk.web.extensions import db_session
from desk.web.i18n import business_time, day
from desk.web.messages import (
    BACKLOG_AGE_LABELS,
    BACKLOG_STATE_LABELS,
    LANGUAGE_LABELS,
    REPORT_DEFINITIONS,
    REPORT_FIELD_LABELS,
    REPORT_MEASURE_LABELS,
    SLA_TARGET_LABELS,
    error_messages,
)
from desk.web.reports import charts, exports
from desk.web.reports.params import Query, dashboard_query, steering_query

bp = Blueprint("reports", __name__)


@bp.app_context_processor
def _navigation() -> dict[str, Any]:
    # The header's "Reports" link asks the same policy as the pages' guard.
    allowed = (
        has_request_context()
        and current_user.is_authenticated
        and access.can_read_team_reports(current_actor())
    )
    return {"may_read_reports": allowed}


@bp.app_template_filter("report_time")
def report_time(minutes: float | None) -> str:
    """Business minutes as the desk words durations (days of 8 h, hours, minutes); – if none."""
    return business_time(timedelta(minutes=minutes)) if minutes is not None else "–"


@bp.app_template_filter("report_late")
def report_late(late: timedelta) -> str:
    """How late in calendar time: days, hours and minutes (whole minutes)."""
    minutes = int(late.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return str(
            _("%(days)s d %(hours)s h %(minutes)s min", days=days, hours=hours, minutes=minutes)
        )
    return str(_("%(hours)s h %(minutes)s min", hours=hours, minutes=minutes))


@bp.app_template_filter("report_date")
def report_date(value: date) -> str:
    """A date as the desk shows dates in the page's language (desk.web.i18n.day)."""
    return day(value)


@bp.app_template_filter("report_percent")
def report_percent(value: float | None) -> str:
    """A compliance percentage with one decimal in the page's language; – when none counted."""
    return f"{format_decimal(value, format='0.0')} %" if value is not None else "–"


def _names(language: str) -> dict[str, Any]:
    session = db_session()
    authorities = reference.authorities(session)
    teams = reference.teams(session)
    names = {a.slug: a.name(language) for a in authorities}
    names.update({t.slug: t.name(language) for t in teams})
    return {
        "authorities": authorities,
        "employer_teams": [t for t in teams if not t.regional],
        "regional_teams": [t for t in teams if t.regional],
        "names": names,
    }


def _language() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "fi")


def _context() -> dict[str, Any]:
    return {
        "measure_labels": REPORT_MEASURE_LABELS,
        "definitions": REPORT_DEFINITIONS,
        "field_labels": REPORT_FIELD_LABELS,
        **_names(_language()),
    }


def _bucket_labels() -> list[str]:
    def words(minutes: int) -> str:
        return business_time(timedelta(minutes=minutes))

    labels = [_("under %(time)s", time=words(BUCKET_BOUNDS[0]))]
    labels += [f"{words(low)}–{words(high)}" for low, high in pairwise(BUCKET_BOUNDS)]
    labels.append(_("%(time)s or more", time=words(BUCKET_BOUNDS[-1])))
    return labels


def _render_dashboard(query: Query, status: int = 200, **found: Any) -> tuple[str, int]:
    actor = current_actor()
    return (
        render_template(
            "reports/dashboard.html",
            query=query,
            choices=filter_choices(db_session(), _language(), access.report_team_ids(actor)),
            full_reader=access.can_read_reports(actor),
            language_labels=LANGUAGE_LABELS,
            target_labels=SLA_TARGET_LABELS,
            state_labels=BACKLOG_STATE_LABELS,
            age_labels=BACKLOG_AGE_LABELS,
            age_keys=AGE_KEYS,
            states=STATES,
            errors=error_messages(query.errors, "reports"),
            export_args={k: v for k, v in query.values.items() if v},
            **_context(),
            **found,
        ),
        status,
    )


@dataclass(frozen=True)
class _Dashboard:
    """Everything the dashboard shows (and its exports write), from the report services."""

    report: SlaReport
    trend: Trend
    buckets: list[Bucket]
    backlog: Backlog
    workload: list[Workload]
    breaches: Breaches
    breaches_by_need: list[NeedBreaches]
    transfers: dict[str, Transfers] | None  # report readers only: it compares the authorities
    survey: SurveySummary


def _gather(query: Query) -> _Dashboard:
    """Ask every report service for the query's scope; FieldErrors for a bad query."""
    session, actor = db_session(), current_actor()
    args = (query.date_from, query.date_to, query.authority)
    filters = query.filters
    return _Dashboard(
        report=sla_report(session, actor, *args, filters=filters),
        trend=weekly_trend(session, actor, *args, filters=filters),
        buckets=list(first_response_distribution(session, actor, *args, filters=filters)),
        backlog=open_backlog(session, actor, query.authority, filters=filters),
        workload=list(workload(session, actor, query.authority, filters=filters)),
        breaches=breach_list(session, actor, *args, filters=filters),
        breaches_by_need=breaches_by_need(session, actor, *args, filters=filters),
        transfers=(
            authority_transfers(session, actor, query.date_from, query.date_to, filters=filters)
            if access.can_read_reports(actor)
            else None
        ),
        survey=survey_summary(session, actor, *args, filters=filters),
    )


@bp.get("/reports")
@team_reports_required
def dashboard() -> tuple[str, int]:
    query = dashboard_query(request.args)
    if query.errors:
        return _render_dashboard(query, 422)
    try:
        found = _gather(query)
    except FieldErrors as exc:
        query.errors.update(exc.errors)
        return _render_dashboard(query, 422)
    report, trend, buckets, backlog = found.report, found.trend, found.buckets, found.backlog
    week_labels = [_("wk %(week)s", week=w.week) for w in trend.weeks]
    bucket_labels = _bucket_labels()
    fr, res = REPORT_MEASURE_LABELS["first_response"], REPORT_MEASURE_LABELS["resolution"]
    received, resolved = REPORT_MEASURE_LABELS["received"], REPORT_MEASURE_LABELS["resolved"]
    chart_svgs = {
        "compliance": charts.compliance_chart(
            _("Share on time per week, percent"),
            week_labels,
            [
                (str(fr), [w.first_response_compliance for w in trend.weeks]),
                (str(res), [w.resolution_compliance for w in trend.weeks]),
            ],
        ),
        "volume": charts.volume_chart(
            _("Cases received and resolved per week"),
            week_labels,
            [
                (str(received), [w.received for w in trend.weeks]),
                (str(resolved), [w.resolved for w in trend.weeks]),
            ],
        ),
        "distribution": charts.histogram_chart(
            _("First responses by business time taken"),
            bucket_labels,
            _("First responses"),
            [b.count for b in buckets],
        ),
        "backlog": charts.stacked_chart(
            _("Open cases by age and service level state"),
            [str(BACKLOG_AGE_LABELS[age]) for age in AGE_KEYS],
            [
                (
                    str(BACKLOG_STATE_LABELS[state]),
                    [backlog.counts[(age, state)] for age in AGE_KEYS],
                )
                for state in STATES
            ],
        ),
    }
    return _render_dashboard(
        query,
        report=report,
        trend=trend,
        week_labels=week_labels,
        buckets=list(zip(bucket_labels, buckets, strict=True)),
        charts=chart_svgs,
        backlog=backlog,
        workload=found.workload,
        breaches=found.breaches,
        breaches_by_need=found.breaches_by_need,
        transfers=found.transfers,
        survey=found.survey,
        table_titles=_TABLE_TITLES,
    )


@bp.get("/reports/steering")
@reports_required
def steering() -> tuple[str, int]:
    query = steering_query(request.args)
    report: SlaReport | None = None
    status = 200
    if query.errors:
        status = 422
    else:
        report = sla_report(db_session(), current_actor(), query.date_from, query.date_to)
    return (
        render_template(
            "reports/steering.html",
            query=query,
            report=report,
            errors=error_messages(query.errors, "reports"),
            **_context(),
        ),
        status,
    )


# --- exports ------------------------------------------------------------------------------


def _filename(query: Query, rows: bool, extension: str) -> str:
    parts = ["sla-report", query.date_from.isoformat(), query.date_to.isoformat()]
    if query.authority:
        parts.append(query.authority)
    if rows:
        parts.append("cases")
    return "_".join(parts) + "." + extension


def _log_export(kind: str, rows: bool) -> None:
    """An export on record before it is built (a streamed body outlives the transaction)."""
    details = {"format": kind, "case_rows": rows, "query": request.query_string.decode()[:500]}
    audit.log(db_session(), current_actor(), audit.Action.EXPORT, details=details)


def _download(body: Any, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _rows(query: Query) -> Iterator[tuple[Any, ...]]:
    """The case rows, with the first one fetched now so that a bad query fails before streaming."""
    found = case_rows(
        db_session(),
        current_actor(),
        query.date_from,
        query.date_to,
        query.authority,
        filters=query.filters,
    )
    first = list(islice(found, 1))
    return exports.case_values(chain(first, found))


# The dashboard's other tables, by the code of ?table= (and their sheet names).
_TABLE_TITLES = {
    "trend": _l("Weekly trend"),
    "distribution": _l("Time to first response"),
    "backlog": _l("Open backlog"),
    "breaches_by_need": _l("Breaches by need"),
    "breaches": _l("Breaches in the period"),
    "transfers": _l("Transfers between the authorities"),
    "workload": _l("Workload per adviser"),
}


def _tables(found: _Dashboard) -> list[tuple[str, exports.Table]]:
    tables = [
        ("trend", exports.trend_table(found.trend)),
        ("distribution", exports.distribution_table(found.buckets)),
        ("backlog", exports.backlog_table(found.backlog)),
        ("breaches_by_need", exports.breaches_by_need_table(found.breaches_by_need)),
        ("breaches", exports.breaches_table(found.breaches)),
        ("workload", exports.workload_table(found.workload)),
    ]
    if found.transfers is not None:
        tables.append(("transfers", exports.transfers_table(found.transfers)))
    return tables


def _figures(query: Query) -> list[tuple[Any, ...]]:
    report = sla_report(
        db_session(),
        current_actor(),
        query.date_from,
        query.date_to,
        query.authority,
        filters=query.filters,
    )
    return exports.figure_rows(report, _names(_language())["names"], _("All"))


@bp.get("/reports/export.csv")
@reports_required
def export_csv() -> Response | tuple[str, int]:
    query = dashboard_query(request.args)
    rows = request.args.get("rows") == "1"
    if query.errors:
        return _render_dashboard(query, 422)
    table = request.args.get("table", "")
    if table and table not in _TABLE_TITLES:
        abort(404)
    _log_export("csv", rows)
    try:
        if rows:
            lines = exports.csv_lines(CASE_COLUMNS, _rows(query))
        elif table:
            columns, values = dict(_tables(_gather(query)))[table]
            lines = exports.csv_lines(columns, values)
        else:
            lines = exports.csv_lines(exports.FIGURE_COLUMNS, _figures(query))
    except FieldErrors as exc:
        query.errors.update(exc.errors)
        return _render_dashboard(query, 422)
    return _download(
        stream_with_context(lines), "text/csv; charset=utf-8", _filename(query, rows, "csv")
    )


@bp.get("/reports/export.xlsx")
@reports_required
def export_xlsx() -> Response | tuple[str, int]:
    query = dashboard_query(request.args)
    rows = request.args.get("rows") == "1"
    if query.errors:
        return _render_dashboard(query, 422)
    _log_export("xlsx", rows)
    try:
        found = _gather(query)  # the report once, for the figures and every table
        figures = exports.figure_rows(found.report, _names(_language())["names"], _("All"))
        tables = [(str(_TABLE_TITLES[code]), table) for code, table in _tables(found)]
        cases = _rows(query) if rows else None
    except FieldErrors as exc:
        query.errors.update(exc.errors)
        return _render_dashboard(query, 422)
    body = exports.tables_workbook(figures, tables, cases, (_("Figures"), _("Cases")))
    return _download(
        body,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _filename(query, rows, "xlsx"),
    )
