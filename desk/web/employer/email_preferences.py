"""The old email-choices address of a case (/case/<token>/email-preferences): it leads to the
signed email-choices page of the case, so the token leaves the URL."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect
from werkzeug.wrappers import Response

from desk.services import signed_links
from desk.web.employer.views import case_or_404

bp = Blueprint("employer_email_preferences", __name__)


@bp.get("/case/<token>/email-preferences")
def page(token: str) -> Response:
    case = case_or_404(token)
    signed = signed_links.email_choices_token(
        str(current_app.config["SECRET_KEY"]), case.id, case.email
    )
    response = redirect(f"/email-choices/{signed}", 303)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
