"""Staff sign-in and sign-out, and the role guard every staff and admin page uses."""

from flask import Blueprint


def blueprints() -> tuple[Blueprint, ...]:
    """This package's blueprints, for register_blueprints."""
    from desk.web.auth import views

    return (views.bp,)
