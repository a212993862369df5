"""Translated messages for the error codes of API fields.

The request form's messages (desk.web.messages) are reused for the intake fields, so the API
and the form say the same thing; the API adds the codes only it produces.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from desk.web.messages import ERRORS, FIELD_LABELS

_API_ERRORS = {
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

_CODES = {
    "required": _l("%(field)s is required"),
    "invalid": _l("%(field)s is not valid"),
    "too_long": _l("%(field)s is too long"),
    "out_of_range": _l("%(field)s is out of range"),
    "unknown": _l("%(field)s is not a known code"),
    "unknown_field": _l("%(field)s is not a field of this request"),
    "not_a_member": _l("%(field)s is not a member of the case's team"),
}


def field_error_detail(field: str, code: str) -> str:
    """A translated sentence for a field's error code."""
    specific = _API_ERRORS.get((field, code)) or ERRORS.get((field, code))
    if specific is not None:
        return str(specific)
    label = FIELD_LABELS.get(field, field)
    template = _CODES.get(code)
    if template is None:
        return str(_("%(field)s is not valid (%(code)s)", field=label, code=code))
    return str(template) % {"field": label}
