"""The email choices of one case, from its private link: all messages, or only those the
desk must send (confirmation, answers, transfer, outcome). Whoever holds the case link
(possibly the person who submitted it with someone else's address) changes this case's
choice only; a person's choice for all their cases needs the signed link sent to the
address (desk.web.public.email_choices)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from desk.models import Case
from desk.services.notify import preferences
from desk.web.employer.views import case_or_404
from desk.web.extensions import db_session
from desk.web.forms import CsrfForm, checks_csrf_itself
from desk.web.messages import error_message

bp = Blueprint("employer_email_preferences", __name__)
CHOICES = ("all", "necessary")


def _render(
    case: Case, choice: str, error: str | None = None, status: int = 200
) -> tuple[str, int]:
    return (
        render_template(
            "employer/email_preferences.html",
            case=case,
            choice=choice,
            error=error,
            form=CsrfForm(),
            saved=request.args.get("saved") == "1",
        ),
        status,
    )


@bp.get("/case/<token>/email-preferences")
def page(token: str) -> tuple[str, int]:
    case = case_or_404(token)
    return _render(case, preferences.effective_choice(db_session(), case))


@bp.post("/case/<token>/email-preferences")
@checks_csrf_itself
def save(token: str) -> Response | tuple[str, int]:
    case = case_or_404(token)
    choice = request.form.get("emails", "")
    if not CsrfForm().validate_on_submit():
        return _render(case, choice, error_message("csrf", "expired", "notifications"), 400)
    if choice not in CHOICES:
        return _render(case, choice, error_message("preference", "required", "notifications"), 422)
    preferences.set_case_choice(db_session(), case, choice)
    return redirect(url_for("employer_email_preferences.page", token=token, saved=1), 303)


@bp.after_request
def _private_link_stays_private(response: Response) -> Response:
    """The token in the URL must not leak through caches or the Referer header."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
