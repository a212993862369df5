"""The employer's pages, reached through the private link in their email: the case and its
messages, and their email choices."""

from flask import Blueprint


def blueprints() -> tuple[Blueprint, ...]:
    """This package's blueprints, for register_blueprints."""
    from desk.web.employer import email_preferences, views

    return (views.bp, email_preferences.bp)
