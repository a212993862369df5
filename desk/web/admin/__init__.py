"""Administrators' pages: routing rules and teams, SLA settings, notification deliveries and
webhooks, API tokens, staff and teams, data-subject requests, and the development-only
caught mail."""

from flask import Blueprint


def blueprints() -> tuple[Blueprint, ...]:
    """This package's blueprints, for register_blueprints."""
    from desk.web.admin import (
        api_tokens,
        audit_changes,
        data_subjects,
        dev_mail,
        notifications,
        routing,
        sla_settings,
        staff,
    )

    changing = (api_tokens.bp, routing.bp, sla_settings.bp, notifications.bp)
    watched = tuple(audit_changes.watch(blueprint) for blueprint in changing)
    # Staff and team changes are on record by their service (`staff.change`, the CLI's and
    # the set-password page's too), so the generic hook would only log them twice.
    return (dev_mail.bp, data_subjects.bp, staff.bp, *watched)
