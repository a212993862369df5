"""What the portal's views share: the identity provider, who is looking, the private headers."""

from __future__ import annotations

from flask import Blueprint, current_app, request
from werkzeug.wrappers import Response

from desk.domain.languages import LANGUAGES
from desk.services import organisations
from desk.services.identity.magic_link import MagicLinkProvider
from desk.services.identity.provider import IdentityProvider
from desk.web import portal_session
from desk.web.extensions import db_session


def identity_provider() -> IdentityProvider:
    """The configured identity provider (the email magic link; Suomi.fi would sit here)."""
    return MagicLinkProvider(secret=str(current_app.config["SECRET_KEY"]))


def remember_language() -> None:
    """A signed-in contact who picks a language (?lang=) keeps it, for pages and emails."""
    chosen = request.args.get("lang", "")
    contact = portal_session.contact_id()
    if chosen in LANGUAGES and contact is not None:
        organisations.set_language(db_session(), contact, chosen)


def private(response: Response) -> Response:
    """Portal pages are a person's own: never cached, never leaked through Referer."""
    response.headers.setdefault("Cache-Control", "no-store")  # a download's "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def install(bp: Blueprint) -> None:
    """The before/after hooks every portal blueprint has."""
    bp.before_request(remember_language)
    bp.after_request(private)
