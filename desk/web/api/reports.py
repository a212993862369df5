"""Reports API: the SLA report, for tokens of the `reports` scope.

The token acts as its owner: managers and administrators may read reports (a manager reads
the whole aggregate, both authorities, as the steering group compares them); advisers get
403 for now (desk.services.access.can_read_reports).
"""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from desk.domain.errors import FieldErrors
from desk.services import access
from desk.services.errors import Forbidden
from desk.services.reports.sla_report import sla_report
from desk.web.api.auth import api_actor, require_scope
from desk.web.api.core import load_query, problems, query_doc, security
from desk.web.api.problems import ApiProblem, invalid
from desk.web.api.schemas import SlaReportQuerySchema, SlaReportSchema
from desk.web.extensions import db_session

bp = Blueprint(
    "reports_api",
    __name__,
    url_prefix="/api/v1/reports",
    description=(
        "Aggregate figures for managers and administrators, with an API token of the "
        "`reports` scope. The definitions of the measures are in each field's description."
    ),
)


@bp.route("/sla", methods=["GET"])
@bp.doc(
    operationId="getSlaReport",
    summary="Service levels of a period",
    description=(
        "Received and resolved cases, first-response and resolution targets met and "
        "breached with their compliance, and the median and 90th percentile of business "
        "minutes, for the total, each authority and each team (a team's host authority "
        "counts). Managers and administrators only; the same object as "
        "`desk report sla --json`."
    ),
    **security("reports"),
)
@query_doc(bp, SlaReportQuerySchema)
@bp.response(200, SlaReportSchema)
@problems(bp, 401, 403, 422)
@require_scope("reports")
def get_sla_report() -> dict[str, Any]:
    args = load_query(SlaReportQuerySchema)
    try:
        # Managers and admins only: an adviser's team-narrowed figures are the dashboard's.
        access.require_report_reader(api_actor())
        report = sla_report(
            db_session(), api_actor(), args["from"], args["to"], args.get("authority")
        )
    except Forbidden as exc:
        raise ApiProblem("forbidden", str(exc)) from exc
    except FieldErrors as exc:
        raise invalid(exc.errors, location="query") from exc
    return report.as_json()
