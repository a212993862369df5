"""The employer's whole picture (/staff/employers/<business id>): one-stop-shop view."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from desk.domain.business_id import InvalidBusinessId
from desk.services import audit, employer_overview
from desk.services.employer_overview import Before
from desk.web.auth.roles import current_actor, staff_required
from desk.web.extensions import db_session

bp = Blueprint("employers", __name__, url_prefix="/staff")


def _before(value: str | None) -> Before | None:
    """The ?before=<iso time>_<id> of an "older cases" link; ValueError when it is not one."""
    if not value:
        return None
    when, _sep, case_id = value.rpartition("_")
    created_at = datetime.fromisoformat(when)
    before = Before(created_at, int(case_id))
    if created_at.tzinfo is None or not 0 < before.case_id < 2**63:
        raise ValueError(value)
    return before


@bp.get("/employers/<business_id>")
@staff_required
def employer_page(business_id: str) -> Response | tuple[str, int]:
    try:
        canonical = employer_overview.canonical_business_id(business_id)
    except InvalidBusinessId:
        error = _("%(value)s is not a valid Business ID.", value=business_id)
        return render_template("staff/employer.html", overview=None, error=error), 404
    if canonical != business_id:
        return redirect(url_for("employers.employer_page", business_id=canonical), 301)
    try:
        before = _before(request.args.get("before"))
    except ValueError:
        error = _("The link to older cases is broken. Open the employer's page again.")
        return render_template("staff/employer.html", overview=None, error=error), 400
    overview = employer_overview.employer_overview(db_session(), current_actor(), canonical, before)
    shown = [case.reference for case in overview.cases]
    audit.log(
        db_session(),
        current_actor(),
        audit.Action.EMPLOYER_VIEW,
        audit.Target("employer", canonical),
        {"cases": shown},
    )
    return render_template("staff/employer.html", overview=overview, error=None), 200
