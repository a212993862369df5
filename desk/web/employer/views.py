"""The employer's private case page, reached through the unguessable link in their email."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from desk.domain.attachments import AttachmentRefused
from desk.models import Case
from desk.services import attachments, cases, merge, sla
from desk.services.access import Actor, Channel
from desk.services.errors import Conflict, NotFound
from desk.web import attachments as uploads
from desk.web.extensions import db_session
from desk.web.forms import CsrfForm, checks_csrf_itself
from desk.web.messages import error_message, error_messages

bp = Blueprint("employer", __name__)


def case_or_404(token: str) -> Case:
    """The case behind an employer's private link; 404 for an unknown token."""
    try:
        return cases.get_case_by_token(db_session(), token)
    except NotFound:
        abort(404)


def _render(
    case: Case,
    body: str = "",
    error: str | None = None,
    status: int = 200,
    errors: dict[str, str] | None = None,
) -> tuple[str, int]:
    page = render_template(
        "employer/case.html",
        case=case,
        messages=cases.public_messages(case),
        errors=errors or {},
        attachments_by_message=attachments.by_message(
            [a for a in case.attachments if a.message is None or a.message.visibility == "public"]
        ),
        limits=uploads.limits(),
        form=CsrfForm(),
        body=body,
        error=error,
        submitted=request.args.get("submitted") == "1",
        sent=request.args.get("sent") == "1",
        sla_targets=sla.case_targets(db_session(), case),
    )
    return page, status


@bp.get("/case/<token>")
def case_page(token: str) -> tuple[str, int]:
    case = case_or_404(token)
    if case.merged_into_id is not None:
        # Combined with another case: named (and linked) only when it is the same contact's.
        target = merge.employer_target(db_session(), case)
        return render_template("employer/merged.html", case=case, target=target), 200
    return _render(case)


@bp.post("/case/<token>/messages")
@checks_csrf_itself
def post_message(token: str) -> Response | tuple[str, int]:
    uploads.accept_uploads()
    case = case_or_404(token)
    body = request.form.get("body", "")
    if not CsrfForm().validate_on_submit():
        return _render(case, body, error_message("csrf", "expired"), 400)
    try:
        cases.employer_reply(
            db_session(),
            case,
            body,
            Actor.employer(Channel.WEB, request.remote_addr),
            uploads=uploads.uploads(),
            storage=uploads.storage(),
            limits=uploads.limits(),
        )
    except AttachmentRefused as exc:
        messages = error_messages(exc.errors)
        return _render(case, body, messages.get("body"), 422, messages)
    except ValueError as exc:
        return _render(case, body, error_message("body", str(exc)), 422)
    except Conflict:
        return _render(case, body, error_message("case", "closed"), 409)
    return redirect(url_for("employer.case_page", token=token, sent=1) + "#messages", 303)


@bp.get("/case/<token>/attachments/<int:attachment_id>")
def download_attachment(token: str, attachment_id: int) -> Response:
    """A file of the case, for whoever holds its private link (access.may_download)."""
    case = case_or_404(token)
    try:
        attachment = attachments.for_download(
            db_session(), Actor.employer(Channel.WEB, request.remote_addr), case, attachment_id
        )
        return uploads.download(attachment)
    except NotFound:
        abort(404)


@bp.after_request
def _private_link_stays_private(response: Response) -> Response:
    """The token in the URL must not leak through caches or the Referer header."""
    response.headers.setdefault("Cache-Control", "no-store")  # a download's "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
