"""One question after a resolved case (1-5 and an optional comment), answered once per case,
in the case's language unless ?lang= chooses another."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import force_locale
from werkzeug.wrappers import Response

from desk.domain.languages import LANGUAGES
from desk.models import Case
from desk.services import survey
from desk.web.extensions import db_session
from desk.web.forms import CsrfForm, checks_csrf_itself
from desk.web.messages import error_messages

bp = Blueprint("survey", __name__)


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def _case_or_404(token: str) -> Case:
    try:
        return survey.case_for_token(db_session(), _secret(), token)
    except survey.SurveyNotAvailable:
        abort(404)


def _language(case: Case) -> str:
    chosen = request.args.get("lang", "")
    return chosen if chosen in LANGUAGES else case.language


def _locale(case: Case) -> AbstractContextManager[object]:
    # ?lang= is the page's own choice (i18n.select_locale); without it, the case's language.
    return nullcontext() if request.args.get("lang") in LANGUAGES else force_locale(case.language)


def _render(
    token: str,
    case: Case,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status: int = 200,
    answered: bool = False,
) -> tuple[str, int]:
    with _locale(case):
        page = render_template(
            "survey/survey.html",
            token=token,
            case=case,
            values=values,
            errors=errors or {},
            form=CsrfForm(),
            answered=answered,
            thanks=request.args.get("thanks") == "1",
            scores=survey.SCORES,
            lang=request.args.get("lang", ""),
        )
    return page, status


@bp.get("/portal/survey/<token>")
def page(token: str) -> tuple[str, int]:
    case = _case_or_404(token)
    answered = survey.response_for_case(db_session(), case.id) is not None
    return _render(token, case, {}, answered=answered)


@bp.post("/portal/survey/<token>")
@checks_csrf_itself
def answer(token: str) -> Response | tuple[str, int]:
    case = _case_or_404(token)
    values = {name: request.form.get(name, "") for name in ("score", "comment")}
    if not CsrfForm().validate_on_submit():
        return _render(token, case, values, error_messages({"csrf": "expired"}), 400)
    try:
        survey.answer(
            db_session(), _secret(), token, values["score"], values["comment"], _language(case)
        )
    except survey.AlreadyAnswered:
        return _render(token, case, values, status=409, answered=True)
    except survey.InvalidAnswer as exc:
        return _render(token, case, values, error_messages(exc.errors, "survey"), 422)
    lang = request.args.get("lang")
    chosen = lang if lang in LANGUAGES else None
    return redirect(url_for("survey.page", token=token, thanks=1, lang=chosen), 303)


@bp.after_request
def _private_link_stays_private(response: Response) -> Response:
    """The token in the URL must not leak through caches or the Referer header."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.app_context_processor
def _staff_answer() -> dict[str, object]:
    """satisfaction_of(case) for the staff case page's partial (survey/_staff_answer.html),
    which is shown only on a page whose case the service already let the reader open."""

    def satisfaction_of(case: Case) -> object:
        return survey.response_for_case(db_session(), case.id)

    return {"satisfaction_of": satisfaction_of}
