"""Translated labels and messages of the routing pages (rule problems, form errors, modes)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from desk.domain.routing_rules import Problem

RULE_FIELD_LABELS = {
    "id": _l("Rule id"),
    "team": _l("Team that receives the request"),
    "before": _l("Position"),
    "municipalities": _l("Workplace municipality"),
    "needs": _l("Need"),
    "min_affected": _l("At least this many affected employees"),
    "key_account": _l("Employer has a key-account adviser"),
    "languages": _l("Language of the request"),
    "enabled": _l("In use"),
    "days": _l("Cases of the last days"),
    "business_id": _l("Business ID"),
    "adviser": _l("Key-account adviser"),
    "reason": _l("Reason for the transfer"),
    "transfer_team": _l("Transfer to"),
}

_FIELD_ERRORS = {
    ("id", "required"): _l("Enter an id for the rule"),
    ("id", "invalid"): _l(
        "Use lower-case letters a–z, digits and hyphens in the id, like lahti-recruitment"
    ),
    ("id", "duplicate"): _l("A rule with this id exists already: choose another id"),
    ("team", "required"): _l("Select the team that receives the request"),
    ("before", "invalid"): _l("Select a position from the list"),
    ("min_affected", "invalid"): _l("Enter the number of employees as a whole number"),
    ("key_account", "invalid"): _l("Choose whether the employer has a key-account adviser"),
    ("days", "invalid"): _l("Enter a whole number of days from 1 to 366"),
    ("business_id", "required"): _l("Enter the employer's Business ID"),
    ("business_id", "invalid"): _l("Enter the Business ID in the form 1234567-8"),
    ("business_id", "checksum"): _l(
        "Check the Business ID: its last digit (the check digit) does not match the others"
    ),
    ("adviser", "required"): _l("Select the key-account adviser"),
    ("adviser", "invalid"): _l("Select an active adviser from the list"),
    ("transfer_team", "required"): _l("Select the team to transfer the case to"),
    ("transfer_team", "invalid"): _l("Select the team to transfer the case to"),
    ("transfer_team", "same"): _l("The case is already in that team: select another team"),
    ("reason", "required"): _l("Write why the case is transferred"),
    ("reason", "too_long"): _l("The reason is too long: at most 1,000 characters"),
}

CONFLICTS = {
    "stale_version": _l(
        "Another administrator changed the rules meanwhile. Review the rules below and try again."
    ),
    "no_draft": _l("There is no draft: the rules shown are the ones in force."),
    "invalid_direction": _l("Choose to move the rule up or down."),
    "not_a_collaborator_team": _l(
        "Only the other authority's employer-services team can be added as collaborator."
    ),
}

ASSIGNMENT_MODES = {
    "queue": _l("Queue: advisers claim cases"),
    "round_robin": _l("Round robin: in turn among present advisers"),
    "least_open": _l("Least open cases: the present adviser with the fewest active cases"),
}

VERSION_ACTIONS = {
    "seeded": _l("Default rules loaded from the configuration"),
    "added": _l("Rule added"),
    "edited": _l("Rule edited"),
    "moved": _l("Rule moved"),
    "enabled": _l("Rule taken into use"),
    "disabled": _l("Rule disabled"),
    "deleted": _l("Rule deleted"),
    "discarded": _l("Draft discarded"),
    "restored": _l("Earlier version restored as draft"),
}


def field_error(field: str, code: str) -> str:
    """A translated message for a routing form field's error code."""
    message = _FIELD_ERRORS.get((field, code))
    if message is not None:
        return str(message)
    label = RULE_FIELD_LABELS.get(field, field)
    return str(_("%(field)s is not valid", field=label))


def field_errors(errors: dict[str, str]) -> dict[str, str]:
    """Translate every field's error code."""
    return {field: field_error(field, code) for field, code in errors.items()}


def problem_message(problem: Problem) -> str:
    """A translated sentence naming the problem of a rule set and the rule it concerns."""
    return str(_problem_message(problem))


def _problem_message(problem: Problem) -> Any:
    rule, detail = problem.rule, problem.detail
    if problem.code == "missing_catch_all":
        return _(
            "A catch-all rule is missing: keep one enabled rule without conditions last, so "
            "that every request reaches a team."
        )
    if problem.code == "unreachable":
        return _(
            "Rule “%(rule)s” can never apply: rule “%(earlier)s” above it already matches "
            "every request it would match. Move it higher, narrow the earlier rule or disable "
            "one of them.",
            rule=rule,
            earlier=detail,
        )
    if problem.code == "unknown_team":
        return _(
            "Rule “%(rule)s” sends requests to an unknown team “%(team)s”.", rule=rule, team=detail
        )
    if problem.code == "unknown_need":
        return _("Rule “%(rule)s” names an unknown need “%(code)s”.", rule=rule, code=detail)
    if problem.code == "unknown_municipality":
        return _(
            "Rule “%(rule)s” names an unknown municipality code “%(code)s”.", rule=rule, code=detail
        )
    if problem.code == "unknown_language":
        return _("Rule “%(rule)s” names an unknown language “%(code)s”.", rule=rule, code=detail)
    if problem.code == "duplicate_id":
        return _("Two rules have the id “%(rule)s”: each rule needs its own id.", rule=rule)
    if problem.code == "invalid_id":
        return _("The id “%(rule)s” is not valid.", rule=rule)
    if problem.code == "invalid_affected":
        return _("Rule “%(rule)s” has an invalid number of employees.", rule=rule)
    if problem.code == "too_many_rules":
        return _("Too many rules: at most %(count)s.", count=detail)
    return _("Rule “%(rule)s” is not valid (%(code)s).", rule=rule, code=problem.code)
