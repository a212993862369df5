"""Administrators' delivery pages: every notification's state, the dead letters (retry,
discard) and the webhook subscriptions."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from desk.domain.notification_catalogue import WEBHOOK_EVENTS
from desk.models import WebhookSubscription
from desk.services.errors import Conflict, NotFound
from desk.services.notify import operations, webhooks
from desk.web.auth.roles import admin_required, current_actor
from desk.web.extensions import db_session
from desk.web.forms import CsrfForm, checks_csrf_itself
from desk.web.messages import error_message, error_messages

bp = Blueprint("notification_admin", __name__, url_prefix="/admin")


def _render_deliveries(error: str | None = None, status: int = 200) -> tuple[str, int]:
    session = db_session()
    chosen = request.args.get("status", "")
    if chosen not in operations.STATUSES:
        chosen = ""
    return (
        render_template(
            "admin/notifications/deliveries.html",
            rows=operations.deliveries(session, chosen or None),
            counts=operations.status_counts(session),
            chosen=chosen,
            statuses=operations.STATUSES,
            form=CsrfForm(),
            error=error,
        ),
        status,
    )


@bp.get("/notifications")
@admin_required
def deliveries() -> tuple[str, int]:
    return _render_deliveries()


def _render_dead_letters(error: str | None = None, status: int = 200) -> tuple[str, int]:
    return (
        render_template(
            "admin/notifications/dead_letters.html",
            rows=operations.deliveries(db_session(), "dead"),
            form=CsrfForm(),
            error=error,
        ),
        status,
    )


@bp.get("/notifications/dead-letters")
@admin_required
def dead_letters() -> tuple[str, int]:
    return _render_dead_letters()


@bp.post("/notifications/<int:outbox_id>/<action>")
@checks_csrf_itself
@admin_required
def act_on_dead_letter(outbox_id: int, action: str) -> Response | tuple[str, int]:
    if action not in ("retry", "discard"):
        abort(404)
    if not CsrfForm().validate_on_submit():
        return _render_dead_letters(error_message("csrf", "expired", "notifications"), 400)
    session = db_session()
    try:
        if action == "retry":
            operations.retry_dead_letter(session, current_actor(), outbox_id)
            flash(_("Notification %(id)s will be sent again.", id=outbox_id))
        else:
            operations.discard_dead_letter(session, current_actor(), outbox_id)
            flash(_("Notification %(id)s was discarded.", id=outbox_id))
    except NotFound:
        abort(404)
    except Conflict as exc:
        return _render_dead_letters(error_message("outbox", exc.code, "notifications"), 409)
    return redirect(url_for("notification_admin.dead_letters"), 303)


def _render_webhooks(
    errors: dict[str, str] | None = None,
    values: dict[str, object] | None = None,
    created: WebhookSubscription | None = None,
    status: int = 200,
) -> tuple[str, int]:
    return (
        render_template(
            "admin/notifications/webhooks.html",
            subscriptions=webhooks.list_subscriptions(db_session()),
            events=WEBHOOK_EVENTS,
            errors=errors or {},
            values=values or {"events": []},
            created=created,
            form=CsrfForm(),
        ),
        status,
    )


@bp.get("/webhooks")
@admin_required
def webhooks_page() -> tuple[str, int]:
    return _render_webhooks()


@bp.post("/webhooks")
@checks_csrf_itself
@admin_required
def create_webhook() -> tuple[str, int]:
    values: dict[str, object] = {
        "name": request.form.get("name", ""),
        "url": request.form.get("url", ""),
        "events": request.form.getlist("events"),
    }
    if not CsrfForm().validate_on_submit():
        return _render_webhooks(
            {"form": error_message("csrf", "expired", "notifications")}, values, status=400
        )
    try:
        created = webhooks.create_subscription(
            db_session(),
            current_actor(),
            str(values["name"]),
            str(values["url"]),
            list(request.form.getlist("events")),
        )
    except webhooks.InvalidSubscription as exc:
        return _render_webhooks(error_messages(exc.errors, "notifications"), values, status=422)
    # The secret is shown once, on this response, for the administrator to hand over.
    return _render_webhooks(created=created, status=201)


@bp.post("/webhooks/<int:subscription_id>/<action>")
@checks_csrf_itself
@admin_required
def act_on_webhook(subscription_id: int, action: str) -> Response | tuple[str, int]:
    if action not in ("pause", "resume", "rotate", "delete"):
        abort(404)
    if not CsrfForm().validate_on_submit():
        return _render_webhooks(
            {"form": error_message("csrf", "expired", "notifications")}, status=400
        )
    session = db_session()
    try:
        if action == "rotate":
            rotated = webhooks.rotate_secret(session, current_actor(), subscription_id)
            return _render_webhooks(created=rotated)
        if action == "delete":
            webhooks.delete_subscription(session, current_actor(), subscription_id)
            flash(_("The subscription was removed."))
        else:
            webhooks.set_active(session, current_actor(), subscription_id, action == "resume")
            flash(
                _("The subscription was resumed.")
                if action == "resume"
                else _("The subscription was paused.")
            )
    except NotFound:
        abort(404)
    return redirect(url_for("notification_admin.webhooks_page"), 303)
