"""Thin Flask blueprints, a package per feature: parse, call a service, render.

public/    the front page, the request form, the processing times
employer/  the employer's private link, exchanged for a session grant (then the portal)
portal/    the employer portal: magic-link sign-in, my cases, the case page, organisation
staff/     the queue, the case page and its actions, the notification bell
admin/     routing, SLA settings, deliveries and webhooks, API tokens, caught mail
api/       the JSON API under /api/v1 and its reference page
reports/   the SLA dashboard, the steering-group report and their exports
auth/      staff sign-in and the role guard
survey/    the satisfaction survey behind the resolution email's signed link
inbound/   the email channel: the inbound log, an email's original, held emails

Shared by all: extensions (session, CSRF, sign-in), forms, messages (the one catalogue of
labels and error messages), i18n, errors, health; portal_session (the employer's grants and
signed-in contact, shared by employer/ and portal/).
"""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint and the error pages."""
    from desk.web import (
        admin,
        api,
        auth,
        employer,
        errors,
        health,
        inbound,
        portal,
        public,
        reports,
        staff,
        survey,
    )

    for package in (public, employer, auth, staff, admin, reports, survey, portal, inbound):
        for blueprint in package.blueprints():
            app.register_blueprint(blueprint)
    app.register_blueprint(health.bp)
    api.init_api(app)
    public.init_limits(app)
    auth.init_limits(app)
    portal.init_limits(app)
    errors.register(app)
