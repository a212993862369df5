"""The public front door: the front page, the request form every employer can use, and the
processing times."""

from flask import Blueprint


def blueprints() -> tuple[Blueprint, ...]:
    """This package's blueprints, for register_blueprints."""
    from desk.web.public import views

    return (views.bp,)
