"""My cases and the portal's case page: status in the employer's words, timeline, the
public conversation with files, expected dates, reply, cancel, survey and email choices."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from desk.domain.attachments import AttachmentRefused
from desk.models import Case
from desk.services import attachments, cases, merge, portal_cases, signed_links, sla, survey
from desk.services.access import Actor, Channel, EmployerPrincipal, employer_can_view
from desk.services.errors import Conflict, NotFound
from desk.web import attachments as uploads
from desk.web import portal_session
from desk.web.extensions import db_session
from desk.web.forms import CsrfForm, checks_csrf_itself
from desk.web.messages import error_message, error_messages
from desk.web.portal.common import install

bp = Blueprint("portal_cases", __name__)
install(bp)

MAX_REASON = 2000

# The status in the employer's words, and what they may do about it.
STATUS_WORDS = {
    "new": _l("We have received your request"),
    "open": _l("We are working on your request"),
    "waiting": _l("We are waiting for your answer"),
    "resolved": _l("Your request has been handled"),
    "closed": _l("Your request is closed"),
}

# The same moves as past events for the timeline: the present-tense status words above read
# as if each line were still true ("We are waiting for your answer" after the answer came).
TIMELINE_WORDS = {
    "new": _l("We have received your request"),
    "open": _l("We started working on your request"),
    "waiting": _l("We asked you for more information"),
    "resolved": _l("We handled your request"),
    "closed": _l("Your request was closed"),
}


def _who() -> EmployerPrincipal | None:
    """Who is looking; None for someone with neither an account nor an opened case link."""
    who = portal_session.principal()
    return who if who.signed_in or who.grants else None


def _signed_in_or_redirect() -> EmployerPrincipal | Response:
    who = _who()
    if who is None:
        return redirect(url_for("portal.sign_in"), 303)
    return who


def _case_or_404(who: EmployerPrincipal, reference: str) -> Case:
    try:
        return portal_cases.case_for(db_session(), who, reference)
    except NotFound:
        abort(404)


@bp.get("/portal/cases")
def my_cases() -> Response | str:
    who = _signed_in_or_redirect()
    if isinstance(who, Response):
        return who
    status = request.args.get("status", "")
    before_text = request.args.get("before", "")
    before = int(before_text) if before_text.isdigit() else None
    page = portal_cases.list_cases(db_session(), who, status, before)
    return render_template(
        "portal/cases.html",
        page=page,
        status=status if status in portal_cases.STATUSES else "",
        statuses=portal_cases.STATUSES,
        status_words=STATUS_WORDS,
        who=who,
    )


def _timeline(case: Case) -> list[tuple[object, str]]:
    """What happened to the case, in the employer's words (no internal detail)."""
    lines: list[tuple[object, str]] = []
    for event in case.events:
        if event.kind == "created":
            lines.append((event.created_at, _("You sent the request")))
        elif event.kind == "status_changed" and event.data.get("to") in TIMELINE_WORDS:
            if event.actor_kind == "employer" and event.data["to"] == "open":
                lines.append((event.created_at, _("You answered our question")))
            else:
                lines.append((event.created_at, str(TIMELINE_WORDS[event.data["to"]])))
        elif event.kind == "employer_asked":
            lines.append((event.created_at, str(TIMELINE_WORDS["waiting"])))
        elif event.kind == "transferred":
            lines.append((event.created_at, _("Your request was moved to another team")))
        elif event.kind == "cancelled_by_employer":
            lines.append((event.created_at, _("You withdrew the request")))
    return lines


def _render(
    case: Case,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    session = db_session()
    secret = str(current_app.config["SECRET_KEY"])
    survey_token = None
    if (
        case.status in ("resolved", "closed")
        and case.resolution_category != "withdrawn"
        and survey.response_for_case(session, case.id) is None
    ):
        survey_token = signed_links.survey_token(secret, case.id)
    page = render_template(
        "portal/case.html",
        case=case,
        messages=cases.public_messages(case),
        errors=errors or {},
        values=values or {},
        attachments_by_message=attachments.by_message(
            [a for a in case.attachments if a.message is None or a.message.visibility == "public"]
        ),
        limits=uploads.limits(),
        form=CsrfForm(),
        submitted=request.args.get("submitted") == "1",
        sent=request.args.get("sent") == "1",
        cancelled=request.args.get("cancelled") == "1",
        sla_targets=sla.case_targets(session, case),
        status_words=STATUS_WORDS,
        timeline=_timeline(case),
        survey_token=survey_token,
        email_choices_token=signed_links.email_choices_token(secret, case.id, case.email),
        who=portal_session.principal(),
    )
    return page, status


@bp.get("/portal/cases/<reference>")
def case_page(reference: str) -> Response | tuple[str, int]:
    who = _signed_in_or_redirect()
    if isinstance(who, Response):
        return who
    case = _case_or_404(who, reference)
    if case.merged_into_id is not None:
        # Combined with another case: named (and linked) only when the person may see it.
        target = merge.employer_target(db_session(), case)
        if target is not None and not employer_can_view(who, target):
            target = None
        return render_template("employer/merged.html", case=case, target=target, who=who), 200
    return _render(case)


@bp.post("/portal/cases/<reference>/messages")
@checks_csrf_itself
def post_message(reference: str) -> Response | tuple[str, int]:
    uploads.accept_uploads()
    who = _signed_in_or_redirect()
    if isinstance(who, Response):
        return who
    case = _case_or_404(who, reference)
    values = {"body": request.form.get("body", "")}
    if not CsrfForm().validate_on_submit():
        return _render(case, values, {"body": error_message("csrf", "expired")}, 400)
    try:
        cases.employer_reply(
            db_session(),
            case,
            values["body"],
            Actor.employer(Channel.WEB, request.remote_addr),
            uploads=uploads.uploads(),
            storage=uploads.storage(),
            limits=uploads.limits(),
        )
    except AttachmentRefused as exc:
        return _render(case, values, error_messages(exc.errors), 422)
    except ValueError as exc:
        return _render(case, values, {"body": error_message("body", str(exc))}, 422)
    except Conflict:
        return _render(case, values, {"body": error_message("case", "closed")}, 409)
    target = url_for("portal_cases.case_page", reference=case.reference, sent=1)
    return redirect(target + "#messages", 303)


@bp.post("/portal/cases/<reference>/cancel")
@checks_csrf_itself
def cancel(reference: str) -> Response | tuple[str, int]:
    who = _signed_in_or_redirect()
    if isinstance(who, Response):
        return who
    case = _case_or_404(who, reference)
    values = {"reason": request.form.get("reason", "")}
    if not CsrfForm().validate_on_submit():
        return _render(case, values, {"reason": error_message("csrf", "expired")}, 400)
    reason = values["reason"].strip()
    if not reason:
        return _render(case, values, {"reason": _("Tell us why you withdraw the request")}, 422)
    if len(reason) > MAX_REASON:
        message = _("The reason can be at most %(count)s characters", count=MAX_REASON)
        return _render(case, values, {"reason": message}, 422)
    try:
        cases.cancel_by_employer(
            db_session(), case, reason, Actor.employer(Channel.WEB, request.remote_addr)
        )
    except ValueError as exc:  # the domain's rules of a message (a NUL character, ...)
        return _render(case, values, {"reason": error_message("body", str(exc))}, 422)
    except Conflict:
        message = _("This request is no longer open, so it cannot be withdrawn")
        return _render(case, values, {"reason": message}, 409)
    return redirect(url_for("portal_cases.case_page", reference=case.reference, cancelled=1), 303)


@bp.get("/portal/cases/<reference>/attachments/<int:attachment_id>")
def download(reference: str, attachment_id: int) -> Response:
    """A file of a case the person may see, as an attachment (never shown inline)."""
    who = _who()
    if who is None:
        abort(404)
    try:
        attachment = portal_cases.attachment_for(db_session(), who, reference, attachment_id)
        return uploads.download(attachment)
    except NotFound:
        abort(404)
