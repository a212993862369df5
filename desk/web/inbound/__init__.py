"""The email channel's pages: the administrators' inbound log, an email's full original
(staff of its case), and posting or discarding a held email."""

from flask import Blueprint


def blueprints() -> tuple[Blueprint, ...]:
    """This package's blueprints, for register_blueprints."""
    from desk.web.inbound import views

    return (views.bp,)
