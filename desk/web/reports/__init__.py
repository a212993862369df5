"""Managers' and administrators' report pages: the SLA dashboard, the steering-group report
and the exports of their tables."""

from flask import Blueprint


def blueprints() -> tuple[Blueprint, ...]:
    """This package's blueprints, for register_blueprints."""
    from desk.web.reports import views

    return (views.bp,)
