"""Staff notifications: the bell in the header, the list, marking read, delivery choices."""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from desk.services.notify import inbox, preferences
from desk.web.auth.roles import staff_required
from desk.web.extensions import db_session
from desk.web.forms import CsrfForm, checks_csrf_itself
from desk.web.messages import error_message

log = logging.getLogger(__name__)
bp = Blueprint("notifications", __name__, url_prefix="/notifications")


def _render_inbox(error: str | None = None, status: int = 200) -> tuple[str, int]:
    session = db_session()
    return (
        render_template(
            "notifications/inbox.html",
            notifications=inbox.latest(session, current_user.id),
            unread=unread_notification_count(),
            form=CsrfForm(),
            error=error,
        ),
        status,
    )


@bp.get("")
@staff_required
def inbox_page() -> tuple[str, int]:
    return _render_inbox()


@bp.post("/read")
@checks_csrf_itself
@staff_required
def mark_read() -> Response | tuple[str, int]:
    if not CsrfForm().validate_on_submit():
        return _render_inbox(error_message("csrf", "expired", "notifications"), 400)
    session = db_session()
    if request.form.get("all") == "1":
        count = inbox.mark_all_read(session, current_user)
        flash(_("All notifications marked as read.") if count else _("Nothing was unread."))
    else:
        raw = request.form.get("id", "")
        if not raw.isdigit() or not inbox.mark_read(session, current_user, int(raw)):
            return _render_inbox(_("That notification was not found."), 404)
        flash(_("Notification marked as read."))
    return redirect(url_for("notifications.inbox_page"), 303)


def _render_settings(
    values: dict[str, str], errors: dict[str, str], status: int = 200
) -> tuple[str, int]:
    choices = preferences.choices_of(db_session(), current_user.id)
    current = {entry.key: values.get(entry.key, delivery.value) for entry, delivery in choices}
    return (
        render_template(
            "notifications/settings.html",
            choices=[entry for entry, _delivery in choices],
            current=current,
            errors=errors,
            form=CsrfForm(),
        ),
        status,
    )


@bp.get("/settings")
@staff_required
def settings_page() -> tuple[str, int]:
    return _render_settings({}, {})


@bp.post("/settings")
@checks_csrf_itself
@staff_required
def save_settings() -> Response | tuple[str, int]:
    values = {key: value for key, value in request.form.items() if key != "csrf_token"}
    if not CsrfForm().validate_on_submit():
        return _render_settings(
            values, {"form": error_message("csrf", "expired", "notifications")}, 400
        )
    try:
        preferences.save_choices(db_session(), current_user, values)
    except preferences.InvalidPreferences as exc:
        db_session().rollback()
        errors = {
            key: error_message("preference", code, "notifications")
            for key, code in exc.errors.items()
        }
        return _render_settings(values, errors, 422)
    flash(_("Your notification choices are saved."))
    return redirect(url_for("notifications.settings_page"), 303)


@bp.app_template_global()
def unread_notification_count() -> int:
    """The bell's unread count: read once per request, and only by a page that shows the bell
    (templates call it; rendering any other template, an email say, queries nothing)."""
    if "unread_notifications" not in g:
        g.unread_notifications = _read_unread_count()
    count: int = g.unread_notifications
    return count


def _read_unread_count() -> int:
    if not (has_request_context() and current_user and current_user.is_authenticated):
        return 0
    try:
        return inbox.unread_count(db_session(), current_user.id)
    except SQLAlchemyError:
        # The header must not take an error page down with it (database unreachable).
        log.warning("unread notification count unavailable", exc_info=True)
        return 0
