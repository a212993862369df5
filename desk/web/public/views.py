"""The public front door: the request form for every employer of the ten municipalities, and
the processing times of every need."""

from __future__ import annotations

import re
import secrets

from flask import (
    Blueprint,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.wrappers import Response as FlaskResponse
from flask_limiter import RequestLimit
from werkzeug.wrappers import Response

from desk.domain.intake import (
    FIELDS,
    MAX_WORKPLACES,
    NOT_ON_REQUEST_FORM,
    InvalidSubmission,
    RawSubmission,
    RawWorkplace,
    workplace_field,
)
from desk.domain.sla import describe_minutes
from desk.i18n import plurals
from desk.services import cases, organisations, reference_data, signed_links, sla_policies
from desk.services.access import Actor, Channel
from desk.web import attachments, portal_session
from desk.web.extensions import db_session
from desk.web.forms import CsrfForm, checks_csrf_itself
from desk.web.messages import FIELD_LABELS, error_messages
from desk.web.rate_limits import retry_after

bp = Blueprint("public", __name__)

# The form's one-time key: made when the form is shown, sent back with it (a double click or a
# resubmission finds the case the first post made).
_SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
WORKPLACE_ROWS = range(2, MAX_WORKPLACES + 1)
WORKPLACE_FIELDS = tuple(
    workplace_field(n, part) for n in WORKPLACE_ROWS for part in ("municipality", "address")
)


@bp.get("/")
def index() -> str:
    return render_template("public/index.html")


def _render_form(values: dict[str, str], errors: dict[str, str], status: int) -> tuple[str, int]:
    session = db_session()
    return (
        render_template(
            "public/request_form.html",
            form=CsrfForm(),
            values=values,
            errors=errors,
            labels=FIELD_LABELS,
            needs=[
                need
                for need in reference_data.list_needs(session)
                if need.code not in NOT_ON_REQUEST_FORM
            ],
            municipalities=reference_data.list_municipalities(session),
            workplace_rows=WORKPLACE_ROWS,
            limits=attachments.limits(),
        ),
        status,
    )


@bp.get("/request")
def request_form() -> tuple[str, int]:
    from flask_babel import get_locale

    values = {"language": str(get_locale() or "fi"), "submission_key": secrets.token_urlsafe(24)}
    # A signed-in contact finds their name, address and organisation filled in.
    values.update(organisations.prefill(db_session(), portal_session.principal()).items())
    return _render_form(values, {}, 200)


def too_many(_limit: RequestLimit) -> FlaskResponse:
    """429 for too many requests from one address: the form again, with what was typed."""
    values = {name: request.form.get(name, "") for name in FIELDS}
    page, _status = _render_form(values, error_messages({"form": "rate_limited"}), 429)
    response = make_response(page, 429)
    response.headers["Retry-After"] = retry_after()
    return response


@bp.post("/request")
@checks_csrf_itself
def submit_request() -> Response | tuple[str, int]:
    attachments.accept_uploads()
    values = {name: request.form.get(name, "") for name in (*FIELDS, *WORKPLACE_FIELDS)}
    key = request.form.get("submission_key", "")
    values["submission_key"] = key if _SUBMISSION_KEY.match(key) else secrets.token_urlsafe(24)
    form = CsrfForm()
    if not form.validate_on_submit():
        # Keep everything typed; only ask to send again.
        return _render_form(values, error_messages({"csrf": "expired"}), 400)
    workplaces = [
        RawWorkplace(
            values[workplace_field(n, "municipality")], values[workplace_field(n, "address")]
        )
        for n in WORKPLACE_ROWS
    ]
    try:
        case = cases.submit_case(
            db_session(),
            RawSubmission(**{name: values[name] for name in FIELDS}),
            actor=Actor.employer(Channel.WEB, request.remote_addr),
            submission_key=key if _SUBMISSION_KEY.match(key) else None,
            workplaces=workplaces,
            uploads=attachments.uploads(),
            storage=attachments.storage(),
            limits=attachments.limits(),
        )
    except InvalidSubmission as exc:
        return _render_form(values, error_messages(exc.errors), 422)
    # The raw private token exists only on the case just made; a resubmission that found the
    # first case gets a signed link to it instead (same sender: the same address).
    token = case.raw_token or signed_links.employer_case_token(
        str(current_app.config["SECRET_KEY"]), case.id, case.email
    )
    return redirect(url_for("employer.case_page", token=token, submitted=1), 303)


# --- public: processing times (Administrative Procedure Act §23 a) -------------------------


@bp.get("/processing-times")
def processing_times() -> str:
    from flask_babel import get_locale

    language = str(get_locale() or "fi")
    rows = [
        {
            "need": listing.need.name(language),
            "hint": listing.need.hint(language),
            "first_response": describe_minutes(
                listing.policy.first_response_minutes, plurals(language)
            ),
            "resolution": describe_minutes(listing.policy.resolution_minutes, plurals(language)),
        }
        for listing in sla_policies.list_policies(db_session())
    ]
    return render_template("public/processing_times.html", rows=rows)
