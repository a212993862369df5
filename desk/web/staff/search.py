"""Advisers' search (/staff/search?q=): the cases they may open that match, and why."""

from __future__ import annotations

import math

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from desk.domain.search_query import MAX_QUERY_LENGTH, QueryTooLong
from desk.services import audit, search
from desk.services.search import After
from desk.web.auth.roles import current_actor, staff_required
from desk.web.extensions import db_session

bp = Blueprint("search", __name__, url_prefix="/staff")


def _after(value: str | None) -> After | None:
    """The ?after=rank:id of a "more results" link; ValueError when it is not one."""
    if not value:
        return None
    rank, _sep, case_id = value.rpartition(":")
    after = After(float(rank), int(case_id))
    if not math.isfinite(after.rank) or not 0 < after.case_id < 2**63:
        raise ValueError(value)
    return after


@bp.get("/search")
@staff_required
def search_page() -> tuple[str, int]:
    text = request.args.get("q", "")
    error = None
    results = None
    status = 200
    try:
        after = _after(request.args.get("after"))
        results = search.search(db_session(), current_actor(), text, after)
        # The list shows contacts' names and emails: on record with what was asked and shown.
        shown = [hit.case.reference for hit in results.hits]
        audit.log(
            db_session(), current_actor(), audit.Action.SEARCH, details={"q": text, "cases": shown}
        )
    except QueryTooLong:
        error = _("Shorten the search to %(max)s characters or fewer.", max=MAX_QUERY_LENGTH)
        status = 400
    except ValueError:
        error = _("The link to more results is broken. Search again.")
        status = 400
    return render_template("staff/search.html", q=text, results=results, error=error), status
