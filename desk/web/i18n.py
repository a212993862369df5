"""Language of the page: ?lang= choice (remembered), the signed-in user's, else the browser's.

Also what every template uses to speak it: the date and business-time filters, and the
catalogue's labels (desk.web.messages) in the template context.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from flask import Flask, current_app, g, request, session
from flask_babel import Babel, format_date, format_datetime, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from desk.config import PROJECT_ROOT
from desk.domain.business_calendar import HELSINKI
from desk.domain.languages import DEFAULT_LANGUAGE, LANGUAGES
from desk.domain.reference_data import ReferenceData
from desk.domain.routing import Rule
from desk.domain.sla import BUSINESS_DAY_MINUTES

if TYPE_CHECKING:
    from desk.models import Case
    from desk.services.routing_text import RoutingText

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


# One date format per language, on every page and in every email (Helsinki time). Babel's own
# "en" formats are US style; these follow the Finnish, Swedish (Finland) and British usage.
DATETIME_PATTERNS = {
    "fi": "d.M.yyyy 'klo' H.mm",
    "sv": "d.M.yyyy 'kl.' H.mm",
    "en": "d MMM yyyy, H:mm",
}
DATE_PATTERNS = {"fi": "d.M.yyyy", "sv": "d.M.yyyy", "en": "d MMM yyyy"}


def when(value: datetime | None) -> str:
    """A moment as the desk shows moments in the page's language: 1.12.2026 klo 9.30."""
    if value is None:
        return ""
    pattern = DATETIME_PATTERNS.get(page_language(), DATETIME_PATTERNS[DEFAULT_LANGUAGE])
    return str(format_datetime(value, pattern))


def day(value: date | None) -> str:
    """A date as the desk shows dates in the page's language: 1.12.2026, 1 Dec 2026."""
    if value is None:
        return ""
    pattern = DATE_PATTERNS.get(page_language(), DATE_PATTERNS[DEFAULT_LANGUAGE])
    return str(format_date(value, pattern))


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


def _reference() -> ReferenceData:
    """The reference data, read once per request (names of teams, authorities, needs)."""
    if "reference_data" not in g:
        from desk.services.reference_data import snapshot
        from desk.web.extensions import db_session

        g.reference_data = snapshot(db_session())
    reference: ReferenceData = g.reference_data
    return reference


def page_language() -> str:
    """The language this page is rendered in."""
    from flask_babel import get_locale

    return str(get_locale() or DEFAULT_LANGUAGE)


def team_name(slug: str | None) -> str:
    """A team's name in the page's language (its slug only when the team is unknown)."""
    if not slug:
        return ""
    team = _reference().teams.get(slug)
    return team.names[page_language()] if team is not None else slug


def routing_text(case: Case) -> RoutingText:
    """Why the case is where it is, in the page's language (desk.services.routing_text)."""
    from desk.services.routing_text import routing_text as build
    from desk.web.extensions import db_session

    return build(db_session(), case, page_language(), _reference())


# Languages as a rule condition names them (lower case, each in its own language).
RULE_LANGUAGE_NAMES = {"fi": "suomi", "sv": "svenska", "en": "English"}


def describe_rule(rule: Rule, reference: ReferenceData, language: str) -> list[str]:
    """The rule's conditions as short translated phrases (empty: it matches every request)."""
    parts: list[str] = []
    if rule.needs:
        names = [
            reference.needs[n].names[language] if n in reference.needs else n
            for n in sorted(rule.needs)
        ]
        parts.append(_("Need: %(needs)s", needs=", ".join(names)))
    if rule.has_municipality_condition:
        places = [
            reference.municipalities[c].name(language) + f" ({c})"
            if c in reference.municipalities
            else c
            for c in sorted(rule.municipalities)
        ]
        if rule.outside_region:
            places.append(_("outside the ten or unknown"))
        parts.append(_("Workplace: %(places)s", places=", ".join(places)))
    if rule.min_affected is not None:
        parts.append(_("At least %(count)s affected employees", count=rule.min_affected))
    if rule.key_account is True:
        parts.append(_("Employer has a key-account adviser"))
    elif rule.key_account is False:
        parts.append(_("Employer has no key-account adviser"))
    if rule.languages:
        names = [RULE_LANGUAGE_NAMES.get(code, code) for code in sorted(rule.languages)]
        parts.append(_("Language: %(languages)s", languages=", ".join(names)))
    return parts


def rule_label(text: RoutingText) -> str:
    """The rule that routed the case, as its conditions in words (never its code)."""
    if text.transferred:
        return str(_("transferred by an adviser"))
    if text.rule is None:
        return str(_("a rule no longer in use"))
    parts = describe_rule(text.rule, _reference(), page_language())
    return "; ".join(parts) if parts else str(_("Any request (catch-all)"))


def business_minutes(minutes: int | None) -> str:
    """An SLA target in working days and hours (a working day is BUSINESS_DAY_MINUTES long)."""
    return "" if minutes is None else business_time(timedelta(minutes=minutes))


def init_i18n(app: Flask) -> None:
    """Flask-Babel with the desk's catalogues and the language switcher in every template."""
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES", str(PROJECT_ROOT / "desk" / "translations")
    )
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", HELSINKI.key)
    Babel(app, locale_selector=select_locale)

    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["day"] = day
    app.jinja_env.filters["business_time"] = business_time
    app.jinja_env.filters["business_minutes"] = business_minutes
    app.jinja_env.filters["team_name"] = team_name

    @app.context_processor
    def _names() -> dict[str, object]:
        return {"team_name": team_name, "routing_text": routing_text, "rule_label": rule_label}

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
