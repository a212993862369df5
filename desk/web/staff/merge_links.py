"""Merging a duplicate into another case and linking related cases, from the case page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from desk.models import Case
from desk.services import case_links, merge
from desk.services.access import can_work
from desk.services.errors import Conflict, Forbidden, NotFound
from desk.web.auth.roles import current_actor, staff_required
from desk.web.extensions import db_session
from desk.web.forms import CsrfForm, checks_csrf_itself
from desk.web.staff.case_page import load_case, render_case_page

bp = Blueprint("case_relations", __name__, url_prefix="/staff/cases")

MERGE_ERRORS = {
    "required": _l("Enter the reference of the case to merge this one into"),
    "not_found": _l("There is no case with that reference that you can open"),
    "forbidden": _l("You can merge only into a case that your team works on"),
    "self": _l("A case cannot be merged into itself: enter the other case's reference"),
    "target_merged": _l("That case was itself merged into another case: merge into that one"),
    "target_closed": _l("That case is closed: choose a case that is still open"),
    "already_merged": _l("This case has already been merged into another case"),
    "closed": _l("This case is closed and cannot be merged"),
}
LINK_ERRORS = {
    "required": _l("Enter the reference of the related case"),
    "not_found": _l("There is no case with that reference that you can open"),
    "self": _l("A case cannot be linked to itself: enter the other case's reference"),
    "exists": _l("The cases are linked already"),
}


def _csrf_failed(case: Case, field: str) -> tuple[str, int] | None:
    if CsrfForm().validate_on_submit():
        return None
    expired = _("Your session expired. Check your answers and send the form again.")
    return render_case_page(case, {"form": expired}, 400, {field: request.form.get(field, "")})


@bp.post("/<reference>/merge")
@checks_csrf_itself
@staff_required
def merge_case(reference: str) -> Response | tuple[str, int]:
    case = load_case(reference)
    failed = _csrf_failed(case, "merge_reference")
    if failed is not None:
        return failed
    typed = request.form.get("merge_reference", "")
    session = db_session()
    code, status = "", 200
    try:
        target = merge.merge(session, current_actor(), case.id, typed)
    except ValueError:
        code, status = "required", 422
    except NotFound:
        code, status = "not_found", 422
    except Forbidden:
        code, status = "forbidden", 403
    except Conflict as exc:
        code, status = exc.code, 409
    if code:
        session.rollback()
        if code == "forbidden" and not _may_work(case):
            abort(403)
        message = str(MERGE_ERRORS.get(code, MERGE_ERRORS["not_found"]))
        return render_case_page(
            case, {"merge_reference": message}, status, {"merge_reference": typed}
        )
    flash(
        _(
            "%(duplicate)s was merged into this case. Its employer was told by email.",
            duplicate=case.reference,
        )
    )
    return redirect(url_for("staff.case_page", reference=target.reference), 303)


def _may_work(case: Case) -> bool:
    return can_work(current_actor(), case)


@bp.post("/<reference>/links")
@checks_csrf_itself
@staff_required
def add_link(reference: str) -> Response | tuple[str, int]:
    case = load_case(reference)
    failed = _csrf_failed(case, "link_reference")
    if failed is not None:
        return failed
    typed = request.form.get("link_reference", "")
    session = db_session()
    try:
        case_links.link(session, current_actor(), case.id, typed)
    except (ValueError, NotFound, Conflict) as exc:
        session.rollback()
        if isinstance(exc, Conflict):
            code, status = exc.code, 409
        else:
            code, status = ("required" if isinstance(exc, ValueError) else "not_found"), 422
        message = str(LINK_ERRORS.get(code, LINK_ERRORS["not_found"]))
        return render_case_page(
            case, {"link_reference": message}, status, {"link_reference": typed}
        )
    except Forbidden:
        abort(403)
    flash(_("The cases are now linked."))
    return redirect(url_for("staff.case_page", reference=case.reference) + "#case-links", 303)


@bp.post("/<reference>/links/<int:link_id>/delete")
@staff_required
def remove_link(reference: str, link_id: int) -> Response:
    case = load_case(reference)
    try:
        case_links.unlink(db_session(), current_actor(), case.id, link_id)
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)
    flash(_("The link was removed."))
    return redirect(url_for("staff.case_page", reference=case.reference) + "#case-links", 303)
