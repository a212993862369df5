"""Staff sign-in and sign-out, and the role guard every staff and admin page uses."""

from flask import Blueprint, Flask


def blueprints() -> tuple[Blueprint, ...]:
    """This package's blueprints, for register_blueprints."""
    from desk.web.auth import views

    return (views.bp,)


def init_limits(app: Flask) -> None:
    """Limit sign-in attempts per client address (the account lockout counts per account)."""
    from desk.web.auth import views
    from desk.web.rate_limits import limit_form_posts

    limit_form_posts(
        app,
        views.bp,
        {"auth.login", "auth.second_factor"},
        "STAFF_LOGIN_RATE_LIMIT",
    )
