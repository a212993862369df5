"""The public front door: the front page, the request form every employer can use, and the
processing times."""

from flask import Blueprint, Flask


def blueprints() -> tuple[Blueprint, ...]:
    """This package's blueprints, for register_blueprints."""
    from desk.web.public import email_choices, pages, views

    return (views.bp, email_choices.bp, pages.bp)


def init_limits(app: Flask) -> None:
    """Rate-limit the public forms' POSTs with the app's one limiter (after api.init_api)."""
    from desk.web.public import pages, views
    from desk.web.rate_limits import limit_form_posts

    limit_form_posts(
        app, views.bp, {"public.submit_request"}, "PUBLIC_FORM_RATE_LIMIT", views.too_many
    )
    limit_form_posts(
        app,
        pages.bp,
        {"public_pages.submit_feedback"},
        "PUBLIC_FORM_RATE_LIMIT",
        pages.too_many,
    )
