"""The development-only caught-mail page (blueprint "admin"): what the mail catcher caught."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, render_template

from desk.services import mailcatcher
from desk.web.auth.roles import admin_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _mail_dir() -> str:
    if not current_app.config.get("DEV_MAIL_PAGE"):
        abort(404)
    return str(current_app.config["MAILCATCHER_DIR"])


@bp.get("/dev/mail")
@admin_required
def caught_mail() -> str:
    mails = mailcatcher.list_caught(_mail_dir())
    received = {mail.name: datetime.fromtimestamp(mail.date, UTC) for mail in mails}
    return render_template("admin/mail_list.html", mails=mails, received=received)


@bp.get("/dev/mail/<name>")
@admin_required
def caught_mail_message(name: str) -> str:
    mail = mailcatcher.read_caught(_mail_dir(), name)
    if mail is None:
        abort(404)
    return render_template("admin/mail_message.html", mail=mail)
