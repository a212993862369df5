"""Inbound email pages: thin over desk.services.inbound.review."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from desk.models import Case
from desk.services.errors import Conflict, Forbidden, NotFound
from desk.services.inbound import review
from desk.services.inbound.settings import InboundSettings
from desk.web import attachments
from desk.web.auth.roles import admin_required, current_actor, staff_required
from desk.web.extensions import db_session
from desk.web.forms import CsrfForm, checks_csrf_itself
from desk.web.messages import error_message

bp = Blueprint("inbound", __name__)

Page = Response | tuple[str, int]


@bp.get("/admin/inbound")
@admin_required
def log_page() -> str:
    chosen = request.args.get("status", "")
    if chosen not in review.STATUSES:
        chosen = ""
    session = db_session()
    rows = review.log(session, current_actor(), chosen)
    return render_template(
        "inbound/log.html",
        rows=rows,
        references=review.case_references(session, rows),
        chosen=chosen,
        statuses=review.STATUSES,
    )


def _original_page(inbound_id: int, error: str | None = None, status: int = 200) -> Page:
    session = db_session()
    try:
        original = review.original(session, current_actor(), inbound_id)
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)
    case = session.get(Case, original.row.case_id) if original.row.case_id else None
    return (
        render_template(
            "inbound/original.html", original=original, case=case, form=CsrfForm(), error=error
        ),
        status,
    )


@bp.get("/staff/inbound/<int:inbound_id>")
@staff_required
def original(inbound_id: int) -> Page:
    return _original_page(inbound_id)


@bp.post("/staff/inbound/<int:inbound_id>/<action>")
@checks_csrf_itself
@staff_required
def act_on_held(inbound_id: int, action: str) -> Page:
    if action not in ("post", "discard"):
        abort(404)
    if not CsrfForm().validate_on_submit():
        return _original_page(inbound_id, error_message("csrf", "expired"), 400)
    session = db_session()
    actor = current_actor()
    try:
        if action == "post":
            settings = InboundSettings.from_config(current_app.config)
            row = review.post_held(session, actor, inbound_id, settings, attachments.storage())
            flash(_("The email was posted on the case as the employer's message."))
        else:
            row = review.discard_held(session, actor, inbound_id)
            flash(_("The email was discarded."))
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)
    except Conflict:
        session.rollback()
        return _original_page(inbound_id, _("This email is no longer held."), 409)
    case = session.get(Case, row.case_id) if row.case_id else None
    if case is None:
        return redirect(url_for("inbound.original", inbound_id=inbound_id), 303)
    return redirect(url_for("staff.case_page", reference=case.reference), 303)
