"""Canned responses: the pages where a team's answers are kept (administrators and the
managers of the team's host authority) and the insertion into a reply on the case page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from desk.domain.canned import LANGUAGES, PLACEHOLDERS
from desk.models import CannedResponse, Case, Team
from desk.services import canned
from desk.services.access import can_keep_canned
from desk.services.canned import Inserted, InvalidCanned
from desk.services.errors import Forbidden, NotFound
from desk.web.auth.roles import current_actor, staff_required
from desk.web.extensions import db_session
from desk.web.forms import CsrfForm, checks_csrf_itself
from desk.web.staff.case_page import load_case

bp = Blueprint("canned", __name__, url_prefix="/staff")

FIELDS = tuple(f"{part}_{lang}" for lang in LANGUAGES for part in ("title", "body"))

ERRORS = {
    ("title_fi", "required"): _l("Enter a title in Finnish"),
    ("body_fi", "required"): _l("Write the text in Finnish"),
    ("title_sv", "required"): _l("Enter a Swedish title for the Swedish text"),
    ("body_sv", "required"): _l("Write the Swedish text, or leave the Swedish title empty"),
    ("title_en", "required"): _l("Enter an English title for the English text"),
    ("body_en", "required"): _l("Write the English text, or leave the English title empty"),
}
TOO_LONG = {
    "title": _l("The title is too long: at most 200 characters"),
    "body": _l("The text is too long: at most 5,000 characters"),
}
LABELS = {
    "title_fi": _l("Title in Finnish"),
    "body_fi": _l("Text in Finnish"),
    "title_sv": _l("Title in Swedish (optional)"),
    "body_sv": _l("Text in Swedish (optional)"),
    "title_en": _l("Title in English (optional)"),
    "body_en": _l("Text in English (optional)"),
}
NO_TEXT_IN = {
    "sv": _l("This answer has no Swedish text: the Finnish one was inserted."),
    "en": _l("This answer has no English text: the Finnish one was inserted."),
}


def _messages(exc: InvalidCanned) -> dict[str, str]:
    out: dict[str, str] = {}
    allowed = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
    for field, code in exc.errors.items():
        if code == "unknown_placeholder":
            names = ", ".join(f"{{{name}}}" for name in exc.unknown.get(field, []))
            out[field] = _(
                "Unknown placeholder %(names)s. Use only: %(allowed)s", names=names, allowed=allowed
            )
        elif code == "too_long":
            out[field] = str(TOO_LONG[field.split("_")[0]])
        else:
            out[field] = str(ERRORS.get((field, code), _l("Check this field")))
    return out


def _team_or_abort(slug: str) -> Team:
    try:
        return canned.team_for_keeping(db_session(), current_actor(), slug)
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)


def _row_or_abort(slug: str, canned_id: int) -> CannedResponse:
    try:
        return canned.get_for_keeping(db_session(), current_actor(), slug, canned_id)
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)


@bp.get("/canned-responses")
@staff_required
def teams() -> str:
    """The teams whose canned responses the signed-in person keeps."""
    actor = current_actor()
    kept = [team for team in canned.all_teams(db_session()) if can_keep_canned(actor, team)]
    if not kept:
        abort(403)
    return render_template("staff/canned/teams.html", teams=kept)


@bp.get("/teams/<slug>/canned-responses")
@staff_required
def index(slug: str) -> str:
    try:
        team, rows = canned.team_responses(db_session(), current_actor(), slug)
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)
    return render_template("staff/canned/list.html", team=team, rows=rows)


def _form(
    team: Team,
    row: CannedResponse | None,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    return (
        render_template(
            "staff/canned/form.html",
            team=team,
            row=row,
            values=values,
            errors=errors or {},
            fields=FIELDS,
            labels=LABELS,
            placeholders=PLACEHOLDERS,
            form=CsrfForm(),
        ),
        status,
    )


def _values_of(row: CannedResponse) -> dict[str, str]:
    return {name: str(getattr(row, name)) for name in FIELDS}


@bp.route("/teams/<slug>/canned-responses/new", methods=["GET", "POST"])
@checks_csrf_itself
@staff_required
def new(slug: str) -> Response | tuple[str, int]:
    team = _team_or_abort(slug)
    return _save(team, None)


@bp.route("/teams/<slug>/canned-responses/<int:canned_id>", methods=["GET", "POST"])
@checks_csrf_itself
@staff_required
def edit(slug: str, canned_id: int) -> Response | tuple[str, int]:
    row = _row_or_abort(slug, canned_id)
    return _save(row.team, row)


def _save(team: Team, row: CannedResponse | None) -> Response | tuple[str, int]:
    if request.method == "GET":
        return _form(team, row, _values_of(row) if row is not None else {})
    values = {name: request.form.get(name, "") for name in FIELDS}
    if not CsrfForm().validate_on_submit():
        expired = _("Your session expired. Check your answers and send the form again.")
        return _form(team, row, values, {"form": expired}, 400)
    session = db_session()
    try:
        saved = canned.save(
            session, current_actor(), team.slug, values, row.id if row is not None else None
        )
    except InvalidCanned as exc:
        session.rollback()
        return _form(team, row, values, _messages(exc), 422)
    flash(_("Canned response “%(title)s” saved.", title=saved.title_fi))
    return redirect(url_for("canned.index", slug=team.slug), 303)


@bp.post("/teams/<slug>/canned-responses/<int:canned_id>/active")
@staff_required
def set_active(slug: str, canned_id: int) -> Response:
    active = request.form.get("active") == "1"
    try:
        row = canned.set_active(db_session(), current_actor(), slug, canned_id, active)
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)
    if active:
        flash(_("“%(title)s” is in use again.", title=row.title_fi))
    else:
        flash(_("“%(title)s” is no longer in use.", title=row.title_fi))
    return redirect(url_for("canned.index", slug=slug), 303)


# --- on the case page -----------------------------------------------------------------------


def notice(inserted: Inserted, case_language: str) -> str:
    """What the page says after inserting: the title, and the fallback when there was one."""
    said = str(_("Inserted “%(title)s”. Check the text before you send it.", title=inserted.title))
    if inserted.fell_back and case_language in NO_TEXT_IN:
        said = f"{said} {NO_TEXT_IN[case_language]}"
    return said


def inserted_for(case: Case, canned_id: str | None) -> Inserted | None:
    """The canned response a case page's ?canned= names, rendered (None when none or unusable)."""
    if not canned_id or not canned_id.isdigit():
        return None
    try:
        return canned.render_for_case(db_session(), current_actor(), case.id, int(canned_id))
    except (NotFound, Forbidden):
        return None


@bp.get("/cases/<reference>/canned/<int:canned_id>")
@staff_required
def insert(reference: str, canned_id: int) -> Response:
    """The rendered text as JSON for canned.js (insertion at the cursor, no reload)."""
    case = load_case(reference)
    try:
        done = canned.render_for_case(db_session(), current_actor(), case.id, canned_id)
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)
    body: dict[str, Any] = {
        "text": done.text,
        "language": done.language,
        "fell_back": done.fell_back,
        "notice": notice(done, case.language),
    }
    return jsonify(body)
