"""Translated labels and error messages for the codes the domain and services raise."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

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
}

ERRORS = {
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
    ("body", "too_long"): _l("The message is too long: at most 5,000 characters"),
    ("csrf", "expired"): _l("Your session expired. Check your answers and send the form again."),
    ("case", "closed"): _l("This case is closed. Send a new request if you need more help."),
    ("case", "invalid_transition"): _l("The case cannot move to that status from its current one."),
    ("case", "unchanged"): _l("The case already has that status."),
    ("case", "unknown_status"): _l("Choose a status from the list."),
}

GENERIC = {
    "too_long": _l("%(field)s is too long"),
    "invalid": _l("%(field)s is not valid"),
    "required": _l("%(field)s is required"),
}


def error_message(field: str, code: str) -> str:
    """A translated, specific message for a field's error code."""
    specific = ERRORS.get((field, code))
    if specific is not None:
        return str(specific)
    template = GENERIC.get(code, GENERIC["invalid"])
    return str(template) % {"field": FIELD_LABELS.get(field, field)}


def error_messages(errors: dict[str, str]) -> dict[str, str]:
    """Translate every field's error code."""
    return {field: error_message(field, code) for field, code in errors.items()}


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
}
