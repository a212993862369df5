"""Translated names of notification event types, deliveries, outbox states and the error
messages of the notification pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from desk.domain.notification_catalogue import event_type

EVENT_TYPE_LABELS = {
    # Employer
    "case_received": _l("Request received (confirmation)"),
    "staff_reply": _l("Reply to the employer"),
    "case_waiting": _l("Information requested from the employer"),
    "case_transferred": _l("Transfer told to the employer"),
    "case_resolved": _l("Case resolved"),
    "case_closed": _l("Case closed"),
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
    "webhook": _l("Webhook"),
}

DELIVERY_LABELS = {
    "immediate": _l("Email at once"),
    "digest": _l("In the daily summary email"),
    "in_app": _l("Only here in the desk"),
}

STATUS_LABELS = {
    "pending": _l("Waiting to be sent"),
    "dispatched": _l("Handed to the worker"),
    "sending": _l("Being sent"),
    "delivered": _l("Delivered"),
    "suppressed": _l("Not sent (by choice)"),
    "dead": _l("Failed (dead letter)"),
    "discarded": _l("Discarded"),
}

CHANNEL_LABELS = {"email": _l("Email"), "webhook": _l("Webhook")}

ERRORS = {
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
    ("csrf", "expired"): _l("Your session expired. Please try again."),
    ("outbox", "not_dead"): _l("Only failed notifications can be retried or discarded."),
}


def kind_label(kind: str) -> str:
    """The name of an outbox kind (its event type), or the kind itself when unknown."""
    entry = event_type(kind)
    label = EVENT_TYPE_LABELS.get(entry.key) if entry is not None else None
    return str(label) if label is not None else kind


def error_text(field: str, code: str) -> str:
    """A translated message for a field's error code."""
    message = ERRORS.get((field, code)) or ERRORS.get(("preference", "invalid"))
    return str(message)
