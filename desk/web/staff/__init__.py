"""Advisers' pages: the team queue, the case page and every action on a case (claim, reply,
note, status, transfer, collaborating team), their availability, and the notification bell,
list and settings."""

from flask import Blueprint


def blueprints() -> tuple[Blueprint, ...]:
    """This package's blueprints, for register_blueprints."""
    from desk.web.staff import (
        attachments,
        canned,
        case_actions,
        employers,
        merge_links,
        notifications,
        queue,  # noqa: F401  (adds the queues' routes to views.bp)
        routing,
        search,
        views,
    )

    return (
        views.bp,
        routing.bp,
        notifications.bp,
        canned.bp,
        merge_links.bp,
        case_actions.bp,
        search.bp,
        employers.bp,
        attachments.bp,
    )
