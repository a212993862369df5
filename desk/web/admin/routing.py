"""Administrators' routing pages: rules (draft, dry run, publish, history), team assignment,
key-account advisers and staff availability. Thin: parse, call a service, render."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from desk.domain.languages import LANGUAGES
from desk.domain.reference_data import ReferenceData
from desk.domain.routing import Rule
from desk.domain.routing_rules import (
    OUTSIDE_CHOICE,
    InvalidRuleInput,
    InvalidRuleSet,
    RawRule,
    rules_from_dicts,
)
from desk.services import assignment, key_accounts, reference_data, routing_rules
from desk.services.errors import Conflict, Forbidden, NotFound
from desk.services.key_accounts import InvalidKeyAccount
from desk.web.auth.roles import admin_required, current_actor
from desk.web.extensions import db_session
from desk.web.forms import CsrfForm, checks_csrf_itself
from desk.web.i18n import describe_rule as describe
from desk.web.messages import (
    ASSIGNMENT_MODE_LABELS,
    RULE_FIELD_LABELS,
    RULE_VERSION_ACTION_LABELS,
    error_message,
    error_messages,
    problem_message,
)

bp = Blueprint("routing_admin", __name__, url_prefix="/admin/routing")
DEFAULT_DRY_RUN_DAYS = 30
# Languages as the request form names them (each in itself).
LANGUAGE_NAMES = {"fi": "suomi", "sv": "svenska", "en": "English"}


def _language() -> str:
    return str(get_locale() or "fi")


def _team_name(reference: ReferenceData, slug: str, language: str) -> str:
    team = reference.teams.get(slug)
    if team is None:
        return slug
    return f"{reference.authorities[team.authority].names[language]} – {team.names[language]}"


def _base_version() -> int:
    text = request.form.get("base_version", "")
    return int(text) if text.isdigit() else -1


def _render_rules(
    errors: list[str] | None = None, status: int = 200, dry_run: Any = None, days: str = ""
) -> tuple[str, int]:
    session = db_session()
    state = routing_rules.state(session)
    reference = reference_data.snapshot(session)
    language = _language()
    return (
        render_template(
            "admin/routing/rules.html",
            state=state,
            rules=state.rules,
            describe=lambda rule: describe(rule, reference, language),
            team_name=lambda slug: _team_name(reference, slug, language),
            problems=errors or [],
            dry_run=dry_run,
            days=days or str(DEFAULT_DRY_RUN_DAYS),
            form=CsrfForm(),
        ),
        status,
    )


def _refused(exc: Exception) -> tuple[str, int]:
    """Re-render the rule list explaining why the change was refused."""
    db_session().rollback()
    if isinstance(exc, InvalidRuleSet):
        return _render_rules([problem_message(p) for p in exc.problems], 422)
    if isinstance(exc, Conflict):
        return _render_rules([error_message("rules", exc.code, "routing")], 409)
    raise exc


@bp.get("/")
@admin_required
def rules_page() -> tuple[str, int]:
    return _render_rules()


def _raw_rule(form: Any) -> RawRule:
    return RawRule(
        id=form.get("id", ""),
        team=form.get("team", ""),
        municipalities=tuple(form.getlist("municipalities")),
        needs=tuple(form.getlist("needs")),
        min_affected=form.get("min_affected", ""),
        key_account=form.get("key_account", ""),
        languages=tuple(form.getlist("languages")),
        enabled=form.get("enabled") == "1",
    )


def _rule_values(rule: Rule) -> dict[str, Any]:
    municipalities = sorted(rule.municipalities) + ([OUTSIDE_CHOICE] if rule.outside_region else [])
    return {
        "id": rule.id,
        "team": rule.team,
        "municipalities": municipalities,
        "needs": sorted(rule.needs),
        "min_affected": "" if rule.min_affected is None else str(rule.min_affected),
        "key_account": {None: "", True: "yes", False: "no"}[rule.key_account],
        "languages": sorted(rule.languages),
        "enabled": rule.enabled,
        "before": "",
    }


def _form_values(form: Any) -> dict[str, Any]:
    return {
        "id": form.get("id", ""),
        "team": form.get("team", ""),
        "municipalities": form.getlist("municipalities"),
        "needs": form.getlist("needs"),
        "min_affected": form.get("min_affected", ""),
        "key_account": form.get("key_account", ""),
        "languages": form.getlist("languages"),
        "enabled": form.get("enabled") == "1",
        "before": form.get("before", ""),
    }


def _render_rule_form(
    rule_id: str | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    problems: list[str] | None = None,
    status: int = 200,
    base_version: int | None = None,
) -> tuple[str, int]:
    session = db_session()
    state = routing_rules.state(session)
    language = _language()
    reference = reference_data.snapshot(session)
    return (
        render_template(
            "admin/routing/rule_form.html",
            rule_id=rule_id,
            values=values,
            errors=errors or {},
            problems=problems or [],
            labels=RULE_FIELD_LABELS,
            base_version=base_version if base_version is not None else state.head.number,
            teams=[
                (slug, _team_name(reference, slug, language)) for slug in sorted(reference.teams)
            ],
            needs=reference_data.list_needs(session),
            municipalities=reference_data.list_municipalities(session),
            languages=[(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
            positions=[rule.id for rule in state.rules],
            outside=OUTSIDE_CHOICE,
            form=CsrfForm(),
        ),
        status,
    )


@bp.get("/rules/new")
@admin_required
def new_rule() -> tuple[str, int]:
    values = {"enabled": True, "municipalities": [], "needs": [], "languages": []}
    return _render_rule_form(None, values)


@bp.get("/rules/<rule_id>")
@admin_required
def edit_rule(rule_id: str) -> tuple[str, int]:
    state = routing_rules.state(db_session())
    rule = next((r for r in state.rules if r.id == rule_id), None)
    if rule is None:
        abort(404)
    return _render_rule_form(rule_id, _rule_values(rule))


@bp.post("/rules/new", defaults={"rule_id": None})
@bp.post("/rules/<rule_id>")
@checks_csrf_itself
@admin_required
def save_rule(rule_id: str | None) -> Response | tuple[str, int]:
    session = db_session()
    values = _form_values(request.form)
    if rule_id is not None:
        values["id"] = rule_id
    base = _base_version()
    if not CsrfForm().validate_on_submit():
        errors = {"csrf": error_message("csrf", "expired")}
        return _render_rule_form(rule_id, values, errors, status=400, base_version=base)
    try:
        if rule_id is None:
            version = routing_rules.add(
                session,
                current_actor(),
                base,
                _raw_rule(request.form),
                request.form.get("before", ""),
            )
        else:
            version = routing_rules.edit(
                session, current_actor(), base, rule_id, _raw_rule(request.form)
            )
    except InvalidRuleInput as exc:
        session.rollback()
        return _render_rule_form(
            rule_id, values, error_messages(exc.errors, "routing"), status=422, base_version=base
        )
    except InvalidRuleSet as exc:
        session.rollback()
        problems = [problem_message(p) for p in exc.problems]
        return _render_rule_form(rule_id, values, problems=problems, status=422, base_version=base)
    except Conflict as exc:
        session.rollback()
        problems = [error_message("rules", exc.code, "routing")]
        return _render_rule_form(rule_id, values, problems=problems, status=409)
    except NotFound:
        abort(404)
    flash(
        _("Saved as draft version %(number)s. Dry-run it, then publish it.", number=version.number)
    )
    return redirect(url_for("routing_admin.rules_page"), 303)


@bp.post("/rules/<rule_id>/<action>")
@admin_required
def rule_action(rule_id: str, action: str) -> Response | tuple[str, int]:
    session = db_session()
    base = _base_version()
    try:
        if action == "move":
            routing_rules.move(
                session, current_actor(), base, rule_id, request.form.get("direction", "")
            )
            flash(_("Rule “%(rule)s” moved.", rule=rule_id))
        elif action == "toggle":
            enabled = request.form.get("enabled") == "1"
            routing_rules.toggle(session, current_actor(), base, rule_id, enabled)
            if enabled:
                flash(_("Rule “%(rule)s” is in use in the draft.", rule=rule_id))
            else:
                flash(_("Rule “%(rule)s” is disabled in the draft.", rule=rule_id))
        elif action == "delete":
            routing_rules.delete(session, current_actor(), base, rule_id)
            flash(_("Rule “%(rule)s” deleted from the draft.", rule=rule_id))
        else:
            abort(404)
    except (InvalidRuleSet, Conflict) as exc:
        return _refused(exc)
    except NotFound:
        abort(404)
    return redirect(url_for("routing_admin.rules_page") + f"#rule-{rule_id}", 303)


@bp.get("/dry-run")
@admin_required
def dry_run() -> tuple[str, int]:
    days = request.args.get("days", str(DEFAULT_DRY_RUN_DAYS)).strip()
    if not days.isdigit() or not 1 <= int(days) <= routing_rules.MAX_DRY_RUN_DAYS:
        return _render_rules([error_message("days", "invalid", "routing")], 422, days=days)
    result = routing_rules.dry_run(db_session(), int(days))
    return _render_rules(dry_run=result, days=days)


@bp.post("/publish")
@admin_required
def publish() -> Response | tuple[str, int]:
    try:
        version = routing_rules.publish(db_session(), current_actor(), _base_version())
    except (InvalidRuleSet, Conflict) as exc:
        return _refused(exc)
    flash(_("Version %(number)s published: new requests are routed by it.", number=version.number))
    return redirect(url_for("routing_admin.rules_page"), 303)


@bp.post("/discard")
@admin_required
def discard() -> Response | tuple[str, int]:
    try:
        routing_rules.discard(db_session(), current_actor(), _base_version())
    except (InvalidRuleSet, Conflict) as exc:
        return _refused(exc)
    flash(_("Draft discarded: the rules are those in force again."))
    return redirect(url_for("routing_admin.rules_page"), 303)


@bp.get("/versions")
@admin_required
def versions() -> str:
    session = db_session()
    return render_template(
        "admin/routing/versions.html",
        versions=routing_rules.versions(session),
        state=routing_rules.state(session),
        actions=RULE_VERSION_ACTION_LABELS,
        form=CsrfForm(),
    )


@bp.get("/versions/<int:number>")
@admin_required
def version(number: int) -> str:
    session = db_session()
    try:
        found = routing_rules.version(session, number)
    except NotFound:
        abort(404)
    reference = reference_data.snapshot(session)
    language = _language()
    return render_template(
        "admin/routing/version.html",
        version=found,
        rules=rules_from_dicts(found.rules),
        describe=lambda rule: describe(rule, reference, language),
        team_name=lambda slug: _team_name(reference, slug, language),
        actions=RULE_VERSION_ACTION_LABELS,
        state=routing_rules.state(session),
        form=CsrfForm(),
    )


@bp.post("/versions/<int:number>/restore")
@admin_required
def restore(number: int) -> Response | tuple[str, int]:
    try:
        routing_rules.restore(db_session(), current_actor(), _base_version(), number)
    except (InvalidRuleSet, Conflict) as exc:
        return _refused(exc)
    except NotFound:
        abort(404)
    flash(_("Version %(number)s restored as the draft.", number=number))
    return redirect(url_for("routing_admin.rules_page"), 303)


# --- Team assignment ----------------------------------------------------------------------


@bp.get("/teams")
@admin_required
def teams() -> str:
    return render_template(
        "admin/routing/teams.html",
        rows=assignment.list_team_settings(db_session()),
        modes=ASSIGNMENT_MODE_LABELS,
        form=CsrfForm(),
    )


@bp.post("/teams/<slug>")
@admin_required
def save_team(slug: str) -> Response:
    try:
        assignment.update_team_settings(
            db_session(),
            current_actor(),
            slug,
            request.form.get("assignment_mode", ""),
            request.form.get("requires_language") == "1",
        )
    except NotFound:
        abort(404)
    except assignment.InvalidTeamSettings:
        abort(422)
    flash(_("Assignment of team %(team)s saved.", team=slug))
    return redirect(url_for("routing_admin.teams"), 303)


# --- Key-account advisers -----------------------------------------------------------------


def _render_key_accounts(
    values: dict[str, str] | None = None, errors: dict[str, str] | None = None, status: int = 200
) -> tuple[str, int]:
    session = db_session()
    accounts = key_accounts.list_key_accounts(session)
    return (
        render_template(
            "admin/routing/key_accounts.html",
            accounts=accounts,
            names=key_accounts.organisation_names(session, [a.business_id for a in accounts]),
            advisers=key_accounts.candidate_advisers(session),
            values=values or {},
            errors=errors or {},
            labels=RULE_FIELD_LABELS,
            form=CsrfForm(),
        ),
        status,
    )


@bp.get("/key-accounts")
@admin_required
def key_accounts_page() -> tuple[str, int]:
    return _render_key_accounts()


@bp.post("/key-accounts")
@checks_csrf_itself
@admin_required
def name_key_account() -> Response | tuple[str, int]:
    values = {
        "business_id": request.form.get("business_id", ""),
        "adviser": request.form.get("adviser", ""),
    }
    if not CsrfForm().validate_on_submit():
        return _render_key_accounts(values, {"csrf": error_message("csrf", "expired")}, 400)
    session = db_session()
    try:
        account = key_accounts.name_key_account(
            session, current_actor(), values["business_id"], values["adviser"]
        )
    except InvalidKeyAccount as exc:
        session.rollback()
        return _render_key_accounts(values, error_messages(exc.errors, "routing"), 422)
    flash(
        _(
            "%(adviser)s is the key-account adviser of %(business_id)s.",
            adviser=account.adviser.name,
            business_id=account.business_id,
        )
    )
    return redirect(url_for("routing_admin.key_accounts_page"), 303)


@bp.post("/key-accounts/<business_id>/remove")
@admin_required
def remove_key_account(business_id: str) -> Response:
    try:
        key_accounts.remove_key_account(db_session(), current_actor(), business_id)
    except NotFound:
        abort(404)
    flash(_("%(business_id)s no longer has a key-account adviser.", business_id=business_id))
    return redirect(url_for("routing_admin.key_accounts_page"), 303)


# --- Availability -------------------------------------------------------------------------


@bp.get("/availability")
@admin_required
def availability() -> str:
    return render_template(
        "admin/routing/availability.html",
        people=assignment.staff_for_availability(db_session()),
        form=CsrfForm(),
    )


@bp.post("/availability/<int:user_id>")
@admin_required
def set_availability(user_id: int) -> Response:
    absent = request.form.get("absent") == "1"
    try:
        user = assignment.set_absent(db_session(), current_actor(), user_id, absent)
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)
    if absent:
        flash(_("%(name)s is marked absent.", name=user.name))
    else:
        flash(_("%(name)s is marked present.", name=user.name))
    return redirect(url_for("routing_admin.availability"), 303)
