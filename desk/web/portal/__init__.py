"""The employer portal: sign-in by magic link (behind the identity-provider interface), my
cases, the case page (reply, cancel, files, survey), the organisation's contacts."""

from flask import Blueprint, Flask


def blueprints() -> tuple[Blueprint, ...]:
    """This package's blueprints, for register_blueprints."""
    from desk.web.portal import cases, organisation, sign_in

    return (sign_in.bp, cases.bp, organisation.bp)


def init_limits(app: Flask) -> None:
    """Rate-limit sign-in and magic-link POSTs per client (the app's one limiter, in Redis when
    configured); the service limits links per address on top."""
    from desk.web.portal import sign_in
    from desk.web.rate_limits import limit_form_posts

    limit_form_posts(
        app,
        sign_in.bp,
        {"portal.sign_in_post", "portal.confirm_post"},
        "PORTAL_SIGN_IN_RATE_LIMIT",
        sign_in.too_many,
    )
