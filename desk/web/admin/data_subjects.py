"""Administrators' data-subject requests: what the desk stores about a contact person (on
the page, as JSON and as HTML) and its erasure. Every request is POSTed: the address is
personal data and stays out of URLs and server logs."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from desk.domain.errors import FieldErrors
from desk.services import data_subjects
from desk.services.attachment_storage import storage_from_config
from desk.services.errors import Conflict
from desk.web.auth.roles import admin_required, current_actor
from desk.web.extensions import db_session
from desk.web.forms import CsrfForm, checks_csrf_itself

bp = Blueprint("data_subjects", __name__, url_prefix="/admin/data-subjects")

_FORMATS = ("json", "html")


def _render(
    email: str = "",
    error: str | None = None,
    data: data_subjects.SubjectData | None = None,
    status: int = 200,
) -> tuple[str, int]:
    page = render_template(
        "admin/data_subjects.html",
        form=CsrfForm(),
        values={"email": email},
        errors={"email": error} if error else {},
        labels={"email": _("Contact person's email address")},
        data=data,
    )
    return page, status


def _email_error(exc: FieldErrors) -> str:
    if exc.errors.get("email") == "required":
        return str(_("Enter the contact person's email address."))
    return str(_("Enter an email address in the correct format, like name@example.com."))


@bp.get("/")
@admin_required
def page() -> tuple[str, int]:
    return _render()


def _checked() -> tuple[str, tuple[str, int] | None]:
    """The typed address, or the page to answer with (expired form, bad address)."""
    email = request.form.get("email", "")
    if not CsrfForm().validate_on_submit():
        return email, _render(email, _("Your session expired. Please try again."), status=400)
    try:
        data_subjects.checked_address(email)
    except FieldErrors as exc:
        return email, _render(email, _email_error(exc), status=422)
    return email, None


@bp.post("/")
@checks_csrf_itself
@admin_required
def look_up() -> tuple[str, int]:
    email, refused = _checked()
    if refused is not None:
        return refused
    data = data_subjects.export(db_session(), current_actor(), email, "page")
    return _render(email, data=data)


@bp.post("/export")
@checks_csrf_itself
@admin_required
def export() -> Response | tuple[str, int]:
    email, refused = _checked()
    if refused is not None:
        return refused
    kind = request.form.get("format", "json")
    if kind not in _FORMATS:
        kind = "json"
    data = data_subjects.export(db_session(), current_actor(), email, kind)
    if kind == "json":
        body = json.dumps(data_subjects.as_json(data), ensure_ascii=False, indent=2)
        mimetype = "application/json"
    else:
        body = render_template("admin/data_subject_export.html", data=data)
        mimetype = "text/html"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="data-subject.{kind}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/erase")
@checks_csrf_itself
@admin_required
def erase() -> Response | tuple[str, int]:
    email, refused = _checked()
    if refused is not None:
        return refused
    session = db_session()
    if request.form.get("confirm") != "yes":
        data = data_subjects.find(session, current_actor(), email)
        error = _("Confirm that the person's data is to be erased.")
        return _render(email, error, data, 422)
    try:
        result = data_subjects.erase(
            session, current_actor(), email, storage_from_config(current_app.config)
        )
    except Conflict as exc:
        session.rollback()
        data = data_subjects.find(session, current_actor(), email)
        error = _(
            "The data cannot be erased while a case is open: %(cases)s. Erase it when the "
            "cases are resolved.",
            cases=str(exc),
        )
        return _render(email, error, data, 409)
    flash(
        _(
            "The contact person's data was anonymised in %(cases)s case(s).",
            cases=result.cases,
        )
    )
    return redirect(url_for("data_subjects.page"), 303)
