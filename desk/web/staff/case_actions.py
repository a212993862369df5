"""Working a case from its page: assign, ask the employer, follow-up date, need and
municipality, resolve with a category, reopen. Thin over the services; every form checks its
CSRF token itself so that an expired session keeps what was typed."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from desk.domain.errors import FieldErrors
from desk.models import Case
from desk.services import assignment, case_work, cases
from desk.services.errors import Conflict, Forbidden
from desk.web.auth.roles import current_actor, staff_required
from desk.web.extensions import db_session
from desk.web.forms import CsrfForm, checks_csrf_itself
from desk.web.messages import error_message, error_messages
from desk.web.staff.case_page import load_case, render_case_page

bp = Blueprint("case_actions", __name__, url_prefix="/staff")

Page = Response | tuple[str, int]


def _run(
    case: Case,
    values: dict[str, str],
    action: Callable[[], object],
    done: str,
    field_names: dict[str, str] | None = None,
    value_field: str = "",
) -> Page:
    """Call the service; answer with the page and its errors, or go back to the case."""
    if not CsrfForm().validate_on_submit():
        return render_case_page(case, {"form": error_message("csrf", "expired")}, 400, values)
    session = db_session()
    try:
        action()
    except FieldErrors as exc:
        session.rollback()
        names = field_names or {}
        errors = {names.get(field, field): code for field, code in exc.errors.items()}
        return render_case_page(case, error_messages(errors, "casework"), 422, values)
    except assignment.InvalidAssignee as exc:
        session.rollback()
        return render_case_page(case, error_messages(exc.errors, "casework"), 422, values)
    except ValueError as exc:  # a message body's code (required, too_long)
        session.rollback()
        message = error_message(value_field, str(exc), "casework")
        return render_case_page(case, {value_field: message}, 422, values)
    except Forbidden:
        abort(403)
    except Conflict as exc:
        session.rollback()
        return render_case_page(case, {"form": error_message("case", exc.code)}, 409, values)
    flash(done)
    return redirect(url_for("staff.case_page", reference=case.reference), 303)


@bp.post("/cases/<reference>/assign")
@checks_csrf_itself
@staff_required
def assign(reference: str) -> Page:
    case = load_case(reference)
    chosen = request.form.get("assignee", "").strip()

    def assign_it() -> object:
        if not chosen:
            raise assignment.InvalidAssignee("required")
        user_id = int(chosen) if chosen.isdigit() else 0  # no such user: not a member
        return assignment.assign_case(db_session(), current_actor(), case.id, user_id)

    return _run(case, {"assignee": chosen}, assign_it, _("The case was assigned."))


@bp.post("/cases/<reference>/ask")
@checks_csrf_itself
@staff_required
def ask(reference: str) -> Page:
    case = load_case(reference)
    body = request.form.get("body", "")
    return _run(
        case,
        {"ask_body": body},
        lambda: cases.ask_employer(db_session(), current_actor(), case.id, body),
        _("Your question was sent to the employer. The case waits for their answer."),
        value_field="ask_body",
    )


@bp.post("/cases/<reference>/follow-up")
@checks_csrf_itself
@staff_required
def follow_up(reference: str) -> Page:
    case = load_case(reference)
    values = {
        "follow_up_date": request.form.get("date", ""),
        "follow_up_time": request.form.get("time", ""),
    }
    if request.form.get("clear"):
        return _run(
            case,
            values,
            lambda: case_work.clear_follow_up(db_session(), current_actor(), case.id),
            _("The follow-up date was removed."),
        )
    return _run(
        case,
        values,
        lambda: case_work.set_follow_up(
            db_session(),
            current_actor(),
            case.id,
            values["follow_up_date"],
            values["follow_up_time"],
        ),
        _("The follow-up date was saved. You will be reminded when it comes."),
    )


@bp.post("/cases/<reference>/details")
@checks_csrf_itself
@staff_required
def details(reference: str) -> Page:
    case = load_case(reference)
    values = {
        "details_need": request.form.get("need", ""),
        "details_municipality": request.form.get("municipality", ""),
        "details_municipality_other": request.form.get("municipality_other", ""),
    }
    return _run(
        case,
        values,
        lambda: case_work.change_details(
            db_session(),
            current_actor(),
            case.id,
            values["details_need"],
            values["details_municipality"],
            values["details_municipality_other"],
        ),
        _("The need and municipality were saved."),
        {
            "need": "details_need",
            "municipality": "details_municipality",
            "municipality_other": "details_municipality_other",
        },
    )


@bp.post("/cases/<reference>/resolve")
@checks_csrf_itself
@staff_required
def resolve(reference: str) -> Page:
    case = load_case(reference)
    category = request.form.get("resolution_category", "")
    return _run(
        case,
        {"resolution_category": category},
        lambda: cases.resolve(db_session(), current_actor(), case.id, category),
        _("The case was resolved and the employer told."),
    )


@bp.post("/cases/<reference>/reopen")
@checks_csrf_itself
@staff_required
def reopen(reference: str) -> Page:
    case = load_case(reference)
    return _run(
        case,
        {},
        lambda: cases.reopen(db_session(), current_actor(), case.id),
        _("The case was reopened."),
    )
