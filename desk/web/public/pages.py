"""The public information pages every public-sector service owes its users: the privacy
notice (GDPR Art. 13-14), the accessibility statement (Act 306/2019) and its feedback form,
whose submissions become cases with the 14-day answer target."""

from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template, request, url_for
from flask.wrappers import Response as FlaskResponse
from flask_limiter import RequestLimit
from werkzeug.wrappers import Response

from desk.domain.accessibility_feedback import FIELDS, InvalidFeedback, RawFeedback
from desk.services import accessibility_feedback
from desk.services.access import Actor, Channel
from desk.web.extensions import db_session
from desk.web.forms import CsrfForm, checks_csrf_itself
from desk.web.i18n import page_language
from desk.web.messages import FEEDBACK_FIELD_LABELS, error_messages
from desk.web.rate_limits import retry_after

bp = Blueprint("public_pages", __name__)


@bp.get("/privacy")
def privacy() -> str:
    # Long legal text: one template per language (desk/templates/public/privacy/), reviewed
    # as a whole by the controllers, rather than hundreds of message ids.
    return render_template("public/privacy.html", body=f"public/privacy/{page_language()}.html")


@bp.get("/accessibility")
def accessibility() -> str:
    return render_template(
        "public/accessibility.html", body=f"public/accessibility/{page_language()}.html"
    )


def _render_feedback(
    values: dict[str, str], errors: dict[str, str], status: int
) -> tuple[str, int]:
    return (
        render_template(
            "public/accessibility_feedback.html",
            form=CsrfForm(),
            values=values,
            errors=errors,
            labels=FEEDBACK_FIELD_LABELS,
            sent=request.args.get("sent") == "1",
        ),
        status,
    )


def too_many(_limit: RequestLimit) -> FlaskResponse:
    """429 for too many feedback forms from one address: the form again, as typed."""
    values = {name: request.form.get(name, "") for name in FIELDS}
    page, _status = _render_feedback(
        values, error_messages({"form": "rate_limited"}, "feedback"), 429
    )
    response = make_response(page, 429)
    response.headers["Retry-After"] = retry_after()
    return response


@bp.get("/accessibility/feedback")
def feedback_form() -> tuple[str, int]:
    return _render_feedback({"page": request.args.get("page", "")[:2000]}, {}, 200)


@bp.post("/accessibility/feedback")
@checks_csrf_itself
def submit_feedback() -> Response | tuple[str, int]:
    values = {name: request.form.get(name, "") for name in FIELDS}
    if not CsrfForm().validate_on_submit():
        return _render_feedback(values, error_messages({"csrf": "expired"}, "feedback"), 400)
    try:
        accessibility_feedback.submit_feedback(
            db_session(),
            RawFeedback(**values, language=page_language()),
            actor=Actor.employer(Channel.WEB, request.remote_addr),
        )
    except InvalidFeedback as exc:
        return _render_feedback(values, error_messages(exc.errors, "feedback"), 422)
    # The confirmation email carries the case's reference.
    return redirect(url_for("public_pages.feedback_form", sent=1), 303)
