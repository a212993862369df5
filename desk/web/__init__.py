"""Thin Flask blueprints: parse, call a service, render."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint and the error pages."""
    from desk.web import (
        admin,
        auth,
        employer,
        employer_email_preferences,
        errors,
        health,
        notification_admin,
        notifications,
        public,
        staff,
    )

    for module in (public, employer, auth, staff, admin, health):
        app.register_blueprint(module.bp)
    for module in (notifications, notification_admin, employer_email_preferences):
        app.register_blueprint(module.bp)
    errors.register(app)
