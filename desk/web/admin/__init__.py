"""Administrators' pages: routing rules and teams, SLA settings, notification deliveries and
webhooks, API tokens, staff and teams, and the development-only caught mail."""

from flask import Blueprint


def blueprints() -> tuple[Blueprint, ...]:
    """This package's blueprints, for register_blueprints."""
    from desk.web.admin import api_tokens, dev_mail, notifications, routing, sla_settings, staff

    return (dev_mail.bp, api_tokens.bp, routing.bp, sla_settings.bp, notifications.bp, staff.bp)
