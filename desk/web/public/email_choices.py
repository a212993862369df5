"""The email choices behind the signed link of every employer email (and its
List-Unsubscribe header): for the case it was sent for, or for every case of the address it
was sent to. RFC 8058 one-click: a POST of "List-Unsubscribe=One-Click" to the same URL,
without cookie or CSRF token (the signed URL is the proof), leaves that case the necessary
emails only."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from desk.models import Case
from desk.services.notify import preferences
from desk.web.extensions import csrf, db_session
from desk.web.forms import CsrfForm
from desk.web.messages import error_message

bp = Blueprint("email_choices", __name__)
SCOPES = ("case", "person")


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def _case_or_404(token: str) -> Case:
    try:
        return preferences.case_for_link(db_session(), _secret(), token)
    except preferences.LinkNotValid:
        abort(404)


def _render(
    token: str,
    case: Case,
    choice: str,
    scope: str,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    return (
        render_template(
            "public/email_choices.html",
            token=token,
            case=case,
            choice=choice,
            scope=scope,
            errors=errors or {},
            form=CsrfForm(),
            saved=request.args.get("saved") == "1",
            unsubscribed=False,
        ),
        status,
    )


@bp.get("/email-choices/<token>")
def page(token: str) -> tuple[str, int]:
    case = _case_or_404(token)
    return _render(token, case, preferences.effective_choice(db_session(), case), "case")


@bp.post("/email-choices/<token>")
@csrf.exempt
def save(token: str) -> Response | tuple[str, int]:
    case = _case_or_404(token)
    if request.form.get("List-Unsubscribe") == "One-Click":
        preferences.one_click_unsubscribe(db_session(), _secret(), token)
        return (
            render_template(
                "public/email_choices.html",
                token=token,
                case=case,
                choice="necessary",
                scope="case",
                errors={},
                form=CsrfForm(),
                saved=False,
                unsubscribed=True,
            ),
            200,
        )
    choice = request.form.get("emails", "")
    scope = request.form.get("scope", "case")
    if not CsrfForm().validate_on_submit():
        errors = {"emails": error_message("csrf", "expired", "notifications")}
        return _render(token, case, choice, scope, errors, 400)
    errors = {}
    if choice not in preferences.CHOICES:
        errors["emails"] = error_message("preference", "required", "notifications")
    if scope not in SCOPES:
        errors["scope"] = error_message("preference", "invalid", "notifications")
    if errors:
        return _render(token, case, choice, scope, errors, 422)
    preferences.apply_link_choice(db_session(), _secret(), token, choice, scope)
    return redirect(url_for("email_choices.page", token=token, saved=1), 303)


@bp.after_request
def _private_link_stays_private(response: Response) -> Response:
    """The token in the URL must not leak through caches or the Referer header."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
