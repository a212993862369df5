"""Advisers' routing actions on a case (transfer, collaborating team) and their availability."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from desk.models import Case
from desk.services import assignment, collaboration, transfers
from desk.services.access import can_view, require_staff
from desk.services.errors import Conflict, Forbidden, NotFound
from desk.web.auth.roles import current_actor, staff_required
from desk.web.extensions import db_session
from desk.web.forms import CsrfForm, checks_csrf_itself
from desk.web.messages import error_message, error_messages
from desk.web.staff.case_page import load_case, render_case_page

bp = Blueprint("routing_staff", __name__, url_prefix="/staff")


def _back(case: Case, anchor: str = "") -> Response:
    return redirect(url_for("staff.case_page", reference=case.reference) + anchor, 303)


@bp.post("/cases/<reference>/transfer")
@checks_csrf_itself
@staff_required
def transfer(reference: str) -> Response | tuple[str, int]:
    case = load_case(reference)
    values = {
        "transfer_team": request.form.get("team", ""),
        "transfer_reason": request.form.get("reason", ""),
    }
    if not CsrfForm().validate_on_submit():
        return render_case_page(case, {"form": error_message("csrf", "expired")}, 400, values)
    session = db_session()
    try:
        transfers.transfer(
            session, current_actor(), case.id, values["transfer_team"], values["transfer_reason"]
        )
    except transfers.InvalidTransfer as exc:
        session.rollback()
        errors = {("transfer_team" if f == "team" else f): c for f, c in exc.errors.items()}
        messages = error_messages(errors, "routing")
        if "reason" in messages:
            messages["transfer_reason"] = messages.pop("reason")
        return render_case_page(case, messages, 422, values)
    except Forbidden:
        abort(403)
    except Conflict as exc:
        session.rollback()
        return render_case_page(case, {"form": error_message("case", exc.code)}, 409)
    flash(_("The case was transferred and the employer told why."))
    if not can_view(current_actor(), case):  # it may have left the adviser's teams
        return redirect(url_for("staff.queue"), 303)
    return _back(case)


@bp.post("/cases/<reference>/collaborators")
@staff_required
def add_collaborator(reference: str) -> Response | tuple[str, int]:
    case = load_case(reference)
    session = db_session()
    try:
        collaboration.add_collaborator(
            session, current_actor(), case.id, request.form.get("team", "")
        )
    except Forbidden:
        abort(403)
    except Conflict as exc:
        session.rollback()
        return render_case_page(
            case, {"form": error_message("collaborator", exc.code, "routing")}, 409
        )
    flash(_("The other authority's team can now read the case and write internal notes."))
    return _back(case)


@bp.post("/cases/<reference>/collaborators/<team>/remove")
@staff_required
def remove_collaborator(reference: str, team: str) -> Response:
    case = load_case(reference)
    try:
        collaboration.remove_collaborator(db_session(), current_actor(), case.id, team)
    except Forbidden:
        abort(403)
    except NotFound:
        abort(404)
    flash(_("The collaborating team was removed."))
    return _back(case)


@bp.post("/availability")
@staff_required
def availability() -> Response:
    absent = request.form.get("absent") == "1"
    actor = current_actor()
    assignment.set_absent(db_session(), actor, require_staff(actor).id, absent)
    if absent:
        flash(_("You are marked absent: no cases are assigned to you automatically."))
    else:
        flash(_("You are marked present."))
    return redirect(url_for("staff.queue"), 303)
