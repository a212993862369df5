"""Advisers' pages: the case page with its actions (the queues: desk.web.staff.queue)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from desk.domain.attachments import AttachmentRefused
from desk.services import audit, cases, merge
from desk.services.errors import Conflict, Forbidden
from desk.web import attachments as files
from desk.web.auth.roles import current_actor, staff_required
from desk.web.extensions import db_session
from desk.web.forms import CsrfForm, checks_csrf_itself
from desk.web.messages import error_message
from desk.web.staff import canned, case_actions
from desk.web.staff.case_page import load_case, render_case_page

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.get("/cases/<reference>")
@staff_required
def case_page(reference: str) -> Response | tuple[str, int]:
    case = load_case(reference)
    audit.log(db_session(), current_actor(), audit.Action.CASE_VIEW, audit.Target.case(case))
    # A merged duplicate's reference leads to the case it was merged into (?stay=1: its
    # own page, e.g. for its history, reached from the target's "merged from" event).
    target = merge.staff_redirect(db_session(), current_actor(), case)
    if target is not None and request.args.get("stay") != "1":
        flash(_("%(duplicate)s was merged into this case.", duplicate=case.reference))
        return redirect(url_for("staff.case_page", reference=target.reference), 303)
    # ?canned=<id> (the picker without JavaScript): the answer goes into the reply box.
    inserted = canned.inserted_for(case, request.args.get("canned"))
    if inserted is not None:
        flash(canned.notice(inserted, case.language))
        return render_case_page(case, values={"reply_body": inserted.text})
    return render_case_page(case)


@bp.post("/cases/<reference>/<action>")
@checks_csrf_itself
@staff_required
def act(reference: str, action: str) -> Response | tuple[str, int]:
    if action == "reply":
        files.accept_uploads()
    case = load_case(reference)
    if not CsrfForm().validate_on_submit():
        return render_case_page(
            case, {"form": error_message("csrf", "expired")}, 400, dict(request.form)
        )
    session = db_session()
    body = request.form.get("body", "")
    try:
        if action == "claim":
            cases.claim(session, current_actor(), case.id)
            flash(_("You are now handling this case."))
        elif action == "reply":
            cases.reply(
                session,
                current_actor(),
                case.id,
                body,
                uploads=files.uploads(),
                storage=files.storage(),
                limits=files.limits(),
            )
            flash(_("Reply sent to the employer."))
        elif action == "note":
            cases.add_note(session, current_actor(), case.id, body)
            flash(_("Internal note saved."))
        elif action == "status" and request.form.get("status") == "resolved":
            # Resolving needs its category: the resolve form's view answers.
            page: Response | tuple[str, int] = case_actions.resolve(reference)
            return page
        elif action == "status":
            cases.change_status(session, current_actor(), case.id, request.form.get("status", ""))
            flash(_("Status changed."))
        else:
            abort(404)
    except AttachmentRefused as exc:
        session.rollback()
        errors = {
            f"reply_{field}": error_message(field, code) for field, code in exc.errors.items()
        }
        return render_case_page(case, errors, 422, {"reply_body": body})
    except ValueError as exc:
        session.rollback()
        field = "reply_body" if action == "reply" else "note_body"
        return render_case_page(case, {field: error_message("body", str(exc))}, 422, {field: body})
    except Forbidden:
        abort(403)
    except Conflict as exc:
        session.rollback()
        return render_case_page(case, {"form": error_message("case", exc.code)}, 409)
    return redirect(url_for("staff.case_page", reference=case.reference), 303)
