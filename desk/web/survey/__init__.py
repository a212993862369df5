"""The satisfaction survey behind the signed link of the resolution email."""

from flask import Blueprint


def blueprints() -> tuple[Blueprint, ...]:
    """This package's blueprints, for register_blueprints."""
    from desk.web.survey import views

    return (views.bp,)
