"""Thin Flask blueprints: parse, call a service, render."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint and the error pages."""
    from desk.web import admin, auth, employer, errors, health, public, sla_pages, staff

    for module in (public, employer, auth, staff, admin, health, sla_pages):
        app.register_blueprint(module.bp)
    errors.register(app)
