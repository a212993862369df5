"""The public front door: the front page and the request form every employer can use."""

from flask import Blueprint


def blueprints() -> tuple[Blueprint, ...]:
    """This package's blueprints, for register_blueprints."""
    from desk.web.public import views

    return (views.bp,)
