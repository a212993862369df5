"""Language of the page: ?lang= choice (remembered), the signed-in user's, else the browser's.

Also what every template uses to speak it: the date and business-time filters, and the
catalogue's labels (desk.web.messages) in the template context.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask, current_app, request, session
from flask_babel import Babel, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from desk.config import PROJECT_ROOT
from desk.domain.business_calendar import HELSINKI
from desk.domain.languages import DEFAULT_LANGUAGE, LANGUAGES
from desk.domain.sla import BUSINESS_DAY_MINUTES

LANGUAGE_NAMES = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}


def select_locale() -> str:
    """The language to render this request in."""
    if request.path.startswith("/api/v1/") and not request.path.startswith("/api/v1/docs"):
        # The JSON API is stateless: Accept-Language only, no cookies, Finnish by default.
        return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE
    chosen = request.args.get("lang", "")
    if chosen in LANGUAGES:
        session["lang"] = chosen
        return chosen
    if session.get("lang") in LANGUAGES:
        return str(session["lang"])
    if current_user and current_user.is_authenticated:
        return str(current_user.ui_language)
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def business_time(value: timedelta | None) -> str:
    """Business time in words: days of 8 business hours, hours and minutes; past due: overdue."""
    if value is None:
        return ""
    minutes = round(abs(value) / timedelta(minutes=1))
    days, rest = divmod(minutes, BUSINESS_DAY_MINUTES)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(num)d business day", "%(num)d business days", days))
    if hours:
        parts.append(_("%(num)d h", num=hours))
    if mins or not parts:
        parts.append(_("%(num)d min", num=mins))
    text = " ".join(parts)
    return _("overdue by %(time)s", time=text) if value < timedelta(0) and minutes else text


def init_i18n(app: Flask) -> None:
    """Flask-Babel with the desk's catalogues and the language switcher in every template."""
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES", str(PROJECT_ROOT / "desk" / "translations")
    )
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", HELSINKI.key)
    Babel(app, locale_selector=select_locale)

    from flask_babel import format_datetime

    # One unambiguous, Finnish-style pattern in every language (Babel's "en" would be US style).
    app.jinja_env.filters["when"] = lambda value: (
        format_datetime(value, "d.M.yyyy HH:mm") if value else ""
    )
    app.jinja_env.filters["business_time"] = business_time
    # An instant an event stored as ISO text (case_events.data), for `when`.
    app.jinja_env.filters["from_iso"] = lambda value: (
        datetime.fromisoformat(value) if value else None
    )

    @app.context_processor
    def _languages() -> dict[str, object]:
        from flask_babel import get_locale

        from desk.web import messages

        return {
            "status_labels": messages.STATUS_LABELS,
            "language_labels": messages.LANGUAGE_LABELS,
            "event_labels": messages.EVENT_LABELS,
            "resolution_category_labels": messages.RESOLUTION_CATEGORY_LABELS,
            "sla_target_labels": messages.SLA_TARGET_LABELS,
            "sla_state_labels": messages.SLA_STATE_LABELS,
            "notification_kind_label": messages.outbox_kind_label,
            "notification_event_labels": messages.NOTIFICATION_EVENT_LABELS,
            "notification_delivery_labels": messages.DELIVERY_LABELS,
            "notification_status_labels": messages.OUTBOX_STATUS_LABELS,
            "notification_channel_labels": messages.CHANNEL_LABELS,
            "language_names": LANGUAGE_NAMES,
            "current_language": str(get_locale() or DEFAULT_LANGUAGE),
            "dev_mail_page": current_app.config.get("DEV_MAIL_PAGE", False),
        }
