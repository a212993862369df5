"""Managers' and administrators' report pages: the SLA dashboard, the steering-group report
the exports of their tables, and the access log."""

from flask import Blueprint


def blueprints() -> tuple[Blueprint, ...]:
    """This package's blueprints, for register_blueprints."""
    from desk.web.reports import audit_log, views

    return (views.bp, audit_log.bp)
