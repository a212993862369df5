"""The employer's private link: /case/<token> exchanges the token (the raw one from the
submission, or the signed link of an email) for a grant in the session, and sends the browser
on to the portal's case page, so the token does not stay in the address bar or access logs."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, redirect, request
from werkzeug.wrappers import Response

from desk.domain.languages import LANGUAGES
from desk.models import Case
from desk.services import case_tokens, merge
from desk.services.errors import NotFound
from desk.web import portal_session
from desk.web.extensions import db_session

bp = Blueprint("employer", __name__)


def case_or_404(token: str) -> Case:
    """The case behind an employer link; 404 for an unknown, forged or stale one."""
    try:
        return case_tokens.case_for_link(db_session(), str(current_app.config["SECRET_KEY"]), token)
    except NotFound:
        abort(404)


@bp.get("/case/<token>")
def case_page(token: str) -> Response:
    case = case_or_404(token)
    if case.merged_into_id is not None:
        # Combined with another case: that one opens too only when it is the same contact's.
        target = merge.employer_target(db_session(), case)
        if target is not None:
            portal_session.grant(target.id)
    portal_session.grant(case.id)
    # What the link said besides the token travels on (the confirmation, the language).
    query = {"submitted": "1"} if request.args.get("submitted") == "1" else {}
    if request.args.get("lang") in LANGUAGES:
        query["lang"] = request.args["lang"]
    suffix = f"?{urlencode(query)}" if query else ""
    return redirect(f"/portal/cases/{case.reference}{suffix}", 303)


@bp.after_request
def _private_link_stays_private(response: Response) -> Response:
    """The token in the URL must not leak through caches or the Referer header."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
