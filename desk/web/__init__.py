"""Thin Flask blueprints: parse, call a service, render."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint and the error pages."""
    from desk.web import (
        admin,
        api,
        api_tokens_admin,
        auth,
        employer,
        employer_email_preferences,
        errors,
        health,
        notification_admin,
        notifications,
        public,
        routing_admin,
        routing_staff,
        sla_pages,
        staff,
    )

    modules = (
        public,
        employer,
        auth,
        staff,
        admin,
        api_tokens_admin,
        routing_admin,
        routing_staff,
        health,
        sla_pages,
    )
    for module in modules:
        app.register_blueprint(module.bp)
    for module in (notifications, notification_admin, employer_email_preferences):
        app.register_blueprint(module.bp)
    api.init_api(app)
    errors.register(app)
