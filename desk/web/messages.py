"""The desk's one message catalogue: translated labels and error messages for the codes the
domain and services raise, for every page and the API.

Two lookups: `error_message(field, code, form)` for a field's error code, and `label(group,
key)` for the name of a code (templates get the label tables from i18n's context processor).
Errors are grouped by form because one field may be worded differently on two forms (the
request form asks for "your organisation's" Business ID, the key-account form for "the
employer's"). The msgids are the English texts: changing one loses its fi and sv translations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from desk.domain.notification_catalogue import event_type
from desk.domain.routing_rules import Problem
from desk.domain.sla import POLICY_FIELDS

# --- labels: fields of the forms ------------------------------------------------------------

# The request form (and the API's intake fields).
FIELD_LABELS = {
    "business_id": _l("Business ID"),
    "organisation_name": _l("Organisation name"),
    "contact_name": _l("Contact person"),
    "email": _l("Email address"),
    "phone": _l("Phone number (optional)"),
    "municipality": _l("Municipality of the workplace"),
    "municipality_other": _l("Name of the other municipality"),
    "need": _l("What do you need help with?"),
    "affected_employees": _l("Number of employees affected (optional)"),
    "description": _l("Describe your request"),
    "language": _l("Language for our replies"),
    "body": _l("Message"),
    "attachments": _l("Attachments (optional)"),
    "workplace_address": _l("Name or address of the workplace (optional)"),
    **{
        f"workplace_{n}_{part}": label
        for n in range(2, 7)
        for part, label in (
            ("municipality", _l("Municipality of workplace %(number)s", number=n)),
            ("address", _l("Name or address of workplace %(number)s (optional)", number=n)),
        )
    },
}

# The routing pages: rules, key-account advisers, and the transfer form of the case page.
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

# The administrators' API tokens page.
API_TOKEN_FIELD_LABELS = {
    "user": _l("Acts as"),
    "name": _l("Name of the token"),
    "scopes": _l("Scopes"),
}
API_SCOPE_LABELS = {
    "read": _l("read: list and read cases"),
    "write": _l("write: claim, assign, reply, note, change status, transfer"),
    "reports": _l("reports: read reports (for the reports API)"),
}

# An SLA policy.
SLA_POLICY_FIELD_LABELS = {
    "first_response_minutes": _l("First response target (business minutes)"),
    "resolution_minutes": _l("Resolution target (business minutes)"),
    "warning_percent": _l("Warning threshold (percentage of the target)"),
}

# --- labels: codes shown on pages -----------------------------------------------------------

# The report pages: the measures, and what each one means (the one user-facing wording of
# desk.domain.reports.MEASURES, shown beside every figure and on the steering report).
REPORT_MEASURE_LABELS = {
    "received": _l("Cases received"),
    "resolved": _l("Cases resolved"),
    "first_response": _l("First response on time"),
    "resolution": _l("Resolution on time"),
    "first_response_minutes": _l("Time to first response"),
    "resolution_minutes": _l("Time to resolution"),
}
REPORT_DEFINITIONS = {
    "period": _l(
        "The period runs from the first date at 00:00 to the end of the last date, Finnish "
        "time; both dates are included."
    ),
    "authority": _l(
        "A case counts for the authority that hosts its team. The regional teams serve the "
        "employers of both authorities and are also shown on their own."
    ),
    "received": _l("Cases received in the period."),
    "resolved": _l(
        "Cases resolved in the period. A reopened case counts again only when it is resolved again."
    ),
    "first_response": _l(
        "The share of first responses on time: targets met on time in the period, out of "
        "those met on time or breached in the period. A first response is the first public "
        "message from staff (a reply or a request for information). A target is breached "
        "when its due time falls in the period and passes with no response."
    ),
    "resolution": _l(
        "The share of resolutions on time, counted like first responses. The resolution clock "
        "stops while the desk waits for the employer and runs again when they answer."
    ),
    "first_response_minutes": _l(
        "Business time from receipt to the first response, over the cases answered in the "
        "period: the median (half were faster) and the 90th percentile (nine in ten were "
        "faster). A business day is 8 business hours."
    ),
    "resolution_minutes": _l(
        "Business time on the resolution clock, over the cases resolved in the period: the "
        "median and the 90th percentile. Time waiting for the employer is not counted."
    ),
}
REPORT_FIELD_LABELS = {
    "period": _l("Period"),
    "from": _l("Start date"),
    "to": _l("End date"),
    "authority": _l("Authority"),
    "team": _l("Team"),
    "need": _l("Need"),
    "municipality": _l("Municipality"),
    "language": _l("Language of the case"),
    "adviser": _l("Adviser"),
    "year": _l("Year"),
    "quarter": _l("Quarter"),
}

# The open backlog's states and age buckets (desk.services.reports.backlog).
BACKLOG_STATE_LABELS = {
    "on_track": _l("On track"),
    "at_risk": _l("At risk"),
    "breached": _l("Breached"),
    "paused": _l("Paused"),
}
BACKLOG_AGE_LABELS = {
    "0-2": _l("0–2 days"),
    "3-7": _l("3–7 days"),
    "8-14": _l("8–14 days"),
    "15-30": _l("15–30 days"),
    "over-30": _l("over 30 days"),
}

LANGUAGE_LABELS = {"fi": _l("Finnish"), "sv": _l("Swedish"), "en": _l("English")}

STATUS_LABELS = {
    "new": _l("New"),
    "open": _l("Open"),
    "waiting": _l("Waiting for the employer"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
}

EVENT_LABELS = {
    "created": _l("Request received"),
    "routed": _l("Routed"),
    "claimed": _l("Claimed"),
    "replied": _l("Public reply sent"),
    "note_added": _l("Internal note added"),
    "status_changed": _l("Status changed"),
    "employer_replied": _l("Employer answered"),
    "sla_warning": _l("SLA warning"),
    "sla_breach": _l("SLA target missed"),
    "sla_escalation": _l("SLA escalation to managers"),
    "assigned": _l("Assigned"),
    "follower_added": _l("Key-account adviser follows"),
    "transferred": _l("Transferred"),
    "collaborator_added": _l("Collaborating team added"),
    "collaborator_removed": _l("Collaborating team removed"),
    "merged_into": _l("Merged into another case"),
    "merged_from": _l("A duplicate was merged into this case"),
    "linked": _l("Linked to a related case"),
    "unlinked": _l("Link to a related case removed"),
    "employer_asked": _l("Information requested from the employer"),
    "follow_up_set": _l("Follow-up date changed"),
    "follow_up_due": _l("Follow-up reminder sent"),
    "details_changed": _l("Need or municipality changed"),
}

# How a case was resolved (desk.domain.case_work.ResolutionCategory).
RESOLUTION_CATEGORY_LABELS = {
    "advice_given": _l("Advice or information given"),
    "service_provided": _l("Service provided"),
    "referred": _l("Referred to another service"),
    "no_action_needed": _l("No action needed"),
    "no_response": _l("No answer from the employer"),
    "duplicate": _l("Duplicate of another case"),
    "withdrawn": _l("Withdrawn by the employer"),
    "other": _l("Other"),
}

SLA_TARGET_LABELS = {
    "first_response": _l("First response"),
    "resolution": _l("Resolution"),
}
SLA_STATE_LABELS = {
    "on_track": _l("On track"),
    "at_risk": _l("At risk"),
    "breached": _l("Breached"),
    "met": _l("Met"),
    "paused": _l("Paused"),
}

# Notifications: event types, staff delivery choices, outbox states, channels.
NOTIFICATION_EVENT_LABELS = {
    # Employer
    "case_received": _l("Request received (confirmation)"),
    "staff_reply": _l("Reply sent to the employer"),
    "case_waiting": _l("Information requested from the employer"),
    "case_transferred": _l("Transfer told to the employer"),
    "case_resolved": _l("Case resolved"),
    "case_closed": _l("Case closed"),
    "case_merged": _l("Request combined with another (told to the employer)"),
    # Staff
    "new_case": _l("New case in your team's queue"),
    "case_assigned": _l("Case assigned to you"),
    "employer_replied": _l("The employer answered"),
    "case_transferred_in": _l("Case transferred to your team"),
    "case_followed": _l("Key-account adviser follows"),
    "sla_warning": _l("Service level warning"),
    "sla_breach": _l("Service level breached"),
    "sla_escalation": _l("Service level breach escalated"),
    "daily_digest": _l("Daily summary"),
    "information_requested": _l("Question to the employer"),
    "follow_up_due": _l("Follow-up date has come"),
    "webhook": _l("Webhook"),
}

DELIVERY_LABELS = {
    "immediate": _l("Email at once"),
    "digest": _l("In the daily summary email"),
    "in_app": _l("Only here in the desk"),
}

OUTBOX_STATUS_LABELS = {
    "pending": _l("Waiting to be sent"),
    "dispatched": _l("Handed to the worker"),
    "sending": _l("Being sent"),
    "delivered": _l("Delivered"),
    "suppressed": _l("Not sent (by choice)"),
    "dead": _l("Failed (dead letter)"),
    "discarded": _l("Discarded"),
}

CHANNEL_LABELS = {"email": _l("Email"), "webhook": _l("Webhook")}

# Routing: how a team assigns its cases; what a version of the rules did.
ASSIGNMENT_MODE_LABELS = {
    "queue": _l("Queue: advisers claim cases"),
    "round_robin": _l("Round robin: in turn among present advisers"),
    "least_open": _l("Least open cases: the present adviser with the fewest active cases"),
}

RULE_VERSION_ACTION_LABELS = {
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

LabelGroup = Literal[
    "request_field",
    "rule_field",
    "api_token_field",
    "api_scope",
    "sla_policy_field",
    "language",
    "status",
    "event",
    "sla_target",
    "sla_state",
    "notification_event",
    "delivery",
    "outbox_status",
    "channel",
    "assignment_mode",
    "rule_version_action",
    "resolution_category",
]

LABELS: dict[LabelGroup, Mapping[str, Any]] = {
    "request_field": FIELD_LABELS,
    "rule_field": RULE_FIELD_LABELS,
    "api_token_field": API_TOKEN_FIELD_LABELS,
    "api_scope": API_SCOPE_LABELS,
    "sla_policy_field": SLA_POLICY_FIELD_LABELS,
    "language": LANGUAGE_LABELS,
    "status": STATUS_LABELS,
    "event": EVENT_LABELS,
    "sla_target": SLA_TARGET_LABELS,
    "sla_state": SLA_STATE_LABELS,
    "notification_event": NOTIFICATION_EVENT_LABELS,
    "delivery": DELIVERY_LABELS,
    "outbox_status": OUTBOX_STATUS_LABELS,
    "channel": CHANNEL_LABELS,
    "assignment_mode": ASSIGNMENT_MODE_LABELS,
    "rule_version_action": RULE_VERSION_ACTION_LABELS,
    "resolution_category": RESOLUTION_CATEGORY_LABELS,
}


def label(group: LabelGroup, key: str) -> str:
    """The translated name of a code in a group of labels, or the code itself when unknown."""
    found = LABELS[group].get(key)
    return str(found) if found is not None else key


def outbox_kind_label(kind: str) -> str:
    """The name of an outbox kind (its event type), or the kind itself when unknown."""
    entry = event_type(kind)
    return label("notification_event", entry.key) if entry is not None else kind


# --- error messages, by form ----------------------------------------------------------------

# A public form refused by the rate limit (what was typed is shown again).
_RATE_LIMITED = _l(
    "Too many forms were sent from your address. Wait a few minutes and send the form again: "
    "what you typed is kept below."
)

# The request form, the employer's and the staff's messages, status changes; the session.
REQUEST_ERRORS = {
    ("business_id", "required"): _l("Enter your organisation's Business ID"),
    ("business_id", "invalid"): _l("Enter the Business ID in the form 1234567-8"),
    ("business_id", "checksum"): _l(
        "Check the Business ID: its last digit (the check digit) does not match the others"
    ),
    ("organisation_name", "required"): _l("Enter the name of your organisation"),
    ("contact_name", "required"): _l("Enter the name of the contact person"),
    ("email", "required"): _l("Enter an email address"),
    ("email", "invalid"): _l("Enter an email address in the correct format, like name@example.fi"),
    ("phone", "invalid"): _l("Enter a phone number using digits, spaces and + only"),
    ("municipality", "required"): _l("Select the municipality where the workplace is"),
    ("municipality_other", "required"): _l("Enter the name of the municipality"),
    ("need", "required"): _l("Select what you need help with"),
    ("need", "unknown"): _l("Select what you need help with"),
    ("affected_employees", "invalid"): _l("Enter the number of employees as a whole number"),
    ("description", "required"): _l("Describe your request"),
    ("language", "required"): _l("Select the language for our replies"),
    ("language", "invalid"): _l("Select the language for our replies"),
    ("body", "required"): _l("Write a message"),
    # A file input is empty again after an error (browsers never keep a chosen file).
    ("attachments", "type"): _l(
        "A file is not of an accepted type: attach PDF files, images (PNG, JPEG, GIF, WebP), "
        "plain text or office documents (Word, Excel, PowerPoint, OpenDocument). Everything "
        "else you wrote is kept; choose the files again."
    ),
    ("attachments", "too_big"): _l(
        "A file is larger than allowed. Everything else you wrote is kept; choose the files "
        "again, smaller ones."
    ),
    ("attachments", "total_too_big"): _l(
        "The files are too large together. Everything else you wrote is kept; choose fewer "
        "or smaller files again."
    ),
    ("attachments", "too_many"): _l(
        "You attached more files than allowed. Everything else you wrote is kept; choose fewer "
        "files again."
    ),
    ("attachments", "empty"): _l(
        "A file is empty. Everything else you wrote is kept; choose the files again."
    ),
    ("body", "too_long"): _l("The message is too long: at most 5,000 characters"),
    ("body", "control_characters"): _l(
        "The message contains a control character that cannot be stored (such as a NUL "
        "character): remove it"
    ),
    ("description", "control_characters"): _l(
        "The description contains a control character that cannot be stored (such as a NUL "
        "character): remove it"
    ),
    ("csrf", "expired"): _l("Your session expired. Check your answers and send the form again."),
    ("form", "rate_limited"): _RATE_LIMITED,
    ("case", "closed"): _l("This case is closed. Send a new request if you need more help."),
    ("case", "invalid_transition"): _l("The case cannot move to that status from its current one."),
    ("case", "unchanged"): _l("The case already has that status."),
    ("case", "unknown_status"): _l("Choose a status from the list."),
    ("case", "claimed_by_other"): _l(
        "Someone else claimed this case a moment ago. It is now assigned to them."
    ),
    ("case", "not_resolved"): _l("Only a resolved case can be reopened."),
    ("case", "details_unchanged"): _l("The need and the municipality are as they were."),
}

# Working a case: assigning, asking the employer, follow-up, need and municipality, resolving.
CASEWORK_FIELD_LABELS = {
    "assignee": _l("Assign to"),
    "ask_body": _l("Question to the employer"),
    "follow_up_date": _l("Follow-up date"),
    "follow_up_time": _l("Time (optional)"),
    "details_need": _l("Need"),
    "details_municipality": _l("Municipality of the workplace"),
    "details_municipality_other": _l("Name of the other municipality"),
    "resolution_category": _l("How was the case resolved?"),
}
CASEWORK_ERRORS = {
    ("assignee", "required"): _l("Select who handles the case"),
    ("assignee", "not_a_member"): _l("Select an active member of the case's team"),
    ("ask_body", "required"): _l("Write your question to the employer"),
    ("ask_body", "too_long"): _l("The question is too long: at most 5,000 characters"),
    ("follow_up_date", "required"): _l("Enter the follow-up date"),
    ("follow_up_date", "invalid"): _l("Enter the follow-up date as YYYY-MM-DD, like 2026-12-31"),
    ("follow_up_date", "past"): _l("The follow-up date must be today or later"),
    ("follow_up_time", "invalid"): _l("Enter the time as HH:MM, like 09:30"),
    ("follow_up_time", "past"): _l("That time has passed: enter a later time"),
    ("details_need", "required"): _l("Select the need from the list"),
    ("details_need", "unknown"): _l("Select the need from the list"),
    ("details_municipality", "required"): _l("Select the municipality of the workplace"),
    ("details_municipality", "unknown"): _l("Select the municipality of the workplace"),
    ("details_municipality_other", "required"): _l("Enter the name of the municipality"),
    ("details_municipality_other", "too_long"): _l("The name is too long: at most 100 characters"),
    ("resolution_category", "required"): _l("Select how the case was resolved"),
    ("resolution_category", "invalid"): _l("Select how the case was resolved"),
}

ROUTING_ERRORS = {
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
    # Conflicts: the rule set changed meanwhile, or the team cannot collaborate.
    ("rules", "stale_version"): _l(
        "Another administrator changed the rules meanwhile. Review the rules below and try again."
    ),
    ("rules", "no_draft"): _l("There is no draft: the rules shown are the ones in force."),
    ("rules", "invalid_direction"): _l("Choose to move the rule up or down."),
    ("collaborator", "not_a_collaborator_team"): _l(
        "Only the other authority's employer-services team can be added as collaborator."
    ),
}

# The notification pages: choices, webhook subscriptions, dead letters; the employer's choice.
NOTIFICATION_ERRORS = {
    ("preference", "required"): _l("Choose how you want to hear of this"),
    ("preference", "invalid"): _l("Choose one of the options"),
    ("name", "required"): _l("Enter a name for the subscription"),
    ("name", "too_long"): _l("The name is too long: at most 200 characters"),
    ("url", "required"): _l("Enter the address that receives the events"),
    ("url", "too_long"): _l("The address is too long: at most 2,000 characters"),
    ("url", "invalid"): _l(
        "Enter an address starting with https:// or http://, like https://crm.example.fi/desk"
    ),
    ("events", "invalid"): _l("Choose events from the list"),
    ("url", "not_public"): _l(
        "The address leads to an internal or reserved network address: use the receiver's "
        "public address"
    ),
    ("url", "unresolvable"): _l(
        "The address's host name could not be found: check it and try again"
    ),
    ("csrf", "expired"): _l("Your session expired. Please try again."),
    ("outbox", "not_dead"): _l("Only failed notifications can be retried or discarded."),
}

API_TOKEN_ERRORS = {
    ("user", "required"): _l("Select the staff member the token acts as"),
    ("user", "invalid"): _l("Select an active staff member from the list"),
    ("name", "required"): _l("Enter a name that says where the token is used"),
    ("name", "too_long"): _l("The name is too long: at most 100 characters"),
    ("scopes", "required"): _l("Select at least one scope"),
    ("scopes", "invalid"): _l("Select scopes from the list"),
}

# SLA settings: closure days and policies.
_POLICY_ERRORS = {
    "required": _l("Enter a whole number"),
    "invalid": _l("Enter a whole number, like 480"),
    "range": _l("Enter a number within the allowed range"),
}
SLA_ERRORS = {
    ("day", "required"): _l("Enter the date of the closure day"),
    ("day", "invalid"): _l("Enter the date as YYYY-MM-DD, like 2026-12-31"),
    ("authority", "invalid"): _l("Choose who is closed from the list"),
    ("day", "duplicate_closure"): _l("That day is already a closure day"),
    ("day", "past"): _l("The closure day cannot be in the past: enter today or a later date"),
    ("policy", "unchanged"): _l("The policy already has these values."),
    ("policy", "concurrent_change"): _l(
        "Someone changed this policy at the same time. Check it and save again."
    ),
    # A policy's numbers say the same for each of its three fields.
    **{
        (field, code): message
        for field in POLICY_FIELDS
        for code, message in _POLICY_ERRORS.items()
    },
}

# The report pages: the period and the authority of the dashboard, the steering report's year.
REPORT_ERRORS = {
    ("from", "invalid"): _l("Enter the start date as YYYY-MM-DD, like 2026-01-01"),
    ("to", "invalid"): _l("Enter the end date as YYYY-MM-DD, like 2026-03-31"),
    ("from", "out_of_range"): _l("Enter a start date between the years 2000 and 2100"),
    ("to", "out_of_range"): _l("Enter an end date between the years 2000 and 2100"),
    ("to", "before_from"): _l("The end date must be the same as or after the start date"),
    ("authority", "invalid"): _l("Choose an authority from the list"),
    ("team", "invalid"): _l("Choose a team from the list"),
    ("need", "invalid"): _l("Choose a need from the list"),
    ("municipality", "invalid"): _l("Choose a municipality from the list"),
    ("language", "invalid"): _l("Choose Finnish, Swedish or English"),
    ("adviser", "invalid"): _l("Choose an adviser from the list"),
    ("year", "invalid"): _l("Enter the year as four digits between 2000 and 2100"),
    ("quarter", "invalid"): _l("Choose a quarter from 1 to 4, or the whole year"),
}

# The satisfaction survey and the accessibility feedback form.
SURVEY_FIELD_LABELS = {
    "score": _l("How satisfied are you with how your request was handled?"),
    "comment": _l("Comment (optional)"),
}
SURVEY_ERRORS = {
    ("score", "required"): _l("Select a number from 1 to 5"),
    ("score", "invalid"): _l("Select a number from 1 to 5"),
    ("comment", "too_long"): _l("The comment is too long: at most 2,000 characters"),
    ("csrf", "expired"): _l("Your session expired. Check your answers and send the form again."),
}
FEEDBACK_FIELD_LABELS = {
    "name": _l("Your name (optional)"),
    "email": _l("Email address"),
    "page": _l("Page or address where you found the problem (optional)"),
    "description": _l("Describe the problem"),
}
FEEDBACK_ERRORS = {
    ("email", "required"): _l("Enter an email address so that we can answer you"),
    ("email", "invalid"): _l("Enter an email address in the correct format, like name@example.fi"),
    ("name", "too_long"): _l("The name is too long: at most 200 characters"),
    ("page", "too_long"): _l("The address is too long: at most 2,000 characters"),
    ("description", "required"): _l("Describe the accessibility problem"),
    ("description", "too_long"): _l("The description is too long: at most 5,000 characters"),
    ("csrf", "expired"): _l("Your session expired. Check your answers and send the form again."),
    ("form", "rate_limited"): _RATE_LIMITED,
}

# The JSON API: the codes only it produces (it says what the request form says otherwise).
API_ERRORS = {
    ("", "invalid"): _l('Send the fields as one JSON object, like {"email": "..."}'),
    ("reason", "required"): _l("Write why the case is transferred"),
    ("reason", "too_long"): _l("The reason is too long: at most 1,000 characters"),
    ("team", "required"): _l("Name the team to transfer the case to"),
    ("team", "invalid"): _l("Name an existing team by its slug"),
    ("team", "same"): _l("The case is already in that team: name another team"),
    ("assignee", "not_a_member"): _l(
        "Choose an active member of the case's team (a user id from GET /api/v1/staff/teams)"
    ),
    ("cursor", "invalid"): _l("Use the next_cursor of the previous page as it was given"),
    ("Idempotency-Key", "invalid"): _l(
        "Use 1 to 255 visible ASCII characters (no spaces) as the Idempotency-Key, like a UUID"
    ),
}

# Any field without a message of its own, by code.
GENERIC_ERRORS = {
    "required": _l("%(field)s is required"),
    "invalid": _l("%(field)s is not valid"),
    "too_long": _l("%(field)s is too long"),
    "out_of_range": _l("%(field)s is out of range"),
    "unknown": _l("%(field)s is not a known code"),
    "unknown_field": _l("%(field)s is not a field of this request"),
    "not_a_member": _l("%(field)s is not a member of the case's team"),
    "control_characters": _l(
        "%(field)s contains a control character (such as a line break): remove it"
    ),
    "direction_characters": _l(
        "%(field)s contains a character that changes the reading direction (a bidirectional "
        "override or isolate): remove it"
    ),
}

Form = Literal[
    "request",
    "routing",
    "notifications",
    "api_tokens",
    "sla",
    "reports",
    "api",
    "casework",
    "survey",
    "feedback",
]


@dataclass(frozen=True)
class _Form:
    errors: tuple[Mapping[tuple[str, str], Any], ...]  # searched in order
    labels: Mapping[str, Any]  # names the field in a message by code
    names_unknown_code: bool = False  # API clients log the code; pages do not show it


_FORMS: dict[Form, _Form] = {
    "request": _Form((REQUEST_ERRORS,), FIELD_LABELS),
    "routing": _Form((ROUTING_ERRORS,), RULE_FIELD_LABELS),
    "notifications": _Form((NOTIFICATION_ERRORS,), {}),
    "api_tokens": _Form((API_TOKEN_ERRORS,), API_TOKEN_FIELD_LABELS),
    "sla": _Form((SLA_ERRORS,), SLA_POLICY_FIELD_LABELS),
    "reports": _Form((REPORT_ERRORS,), REPORT_FIELD_LABELS),
    "api": _Form((API_ERRORS, REQUEST_ERRORS), FIELD_LABELS, names_unknown_code=True),
    "casework": _Form((CASEWORK_ERRORS,), CASEWORK_FIELD_LABELS),
    "survey": _Form((SURVEY_ERRORS,), SURVEY_FIELD_LABELS),
    "feedback": _Form((FEEDBACK_ERRORS,), FEEDBACK_FIELD_LABELS),
}


def error_message(field: str, code: str, form: Form = "request") -> str:
    """A translated message for a field's error code on a form: its own, else one by code."""
    entry = _FORMS[form]
    for table in entry.errors:
        specific = table.get((field, code))
        if specific is not None:
            return str(specific)
    name = entry.labels.get(field, field)
    template = GENERIC_ERRORS.get(code)
    if template is None and entry.names_unknown_code:
        return str(_("%(field)s is not valid (%(code)s)", field=name, code=code))
    if template is None:
        template = GENERIC_ERRORS["invalid"]
    return str(template) % {"field": name}


def error_messages(errors: Mapping[str, str], form: Form = "request") -> dict[str, str]:
    """Translate every field's error code."""
    return {field: error_message(field, code, form) for field, code in errors.items()}


# --- sentences ------------------------------------------------------------------------------


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
