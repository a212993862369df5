"""Who is calling: staff by API token (Authorization: Bearer), employers by case token.

A staff token acts as the user who owns it, so the access rules are that user's
(desk.services.access); its scopes limit what it may do on top: read (GET), write (changes),
reports (the reports API: managers and administrators).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, g, request
from flask_babel import gettext as _

from desk.models import ApiToken, Case, User
from desk.services import api_tokens, case_tokens
from desk.services.access import Actor, Channel
from desk.services.errors import NotFound
from desk.web.api.problems import ApiProblem
from desk.web.extensions import db_session

F = TypeVar("F", bound=Callable[..., Any])
REALM = 'realm="desk-api"'
CASE_TOKEN_HEADER = "X-Case-Token"


def _bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def authenticated_token() -> ApiToken:
    """The caller's live API token, or a 401 problem."""
    secret = _bearer_secret()
    if secret is None:
        raise ApiProblem(
            "unauthorized",
            _("Send an API token: Authorization: Bearer desk_…"),
            headers={"WWW-Authenticate": f"Bearer {REALM}"},
        )
    token = api_tokens.authenticate(db_session(), secret)
    if token is None:
        raise ApiProblem(
            "unauthorized",
            _("The API token is unknown or revoked, or its owner is no longer active."),
            headers={"WWW-Authenticate": f'Bearer {REALM}, error="invalid_token"'},
        )
    return token


def require_scope(scope: str | None) -> Callable[[F], F]:
    """The view needs a staff token with this scope (None: any); g.api_user is its owner."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            token = authenticated_token()
            if scope is not None and scope not in token.scope_set:
                raise ApiProblem(
                    "forbidden",
                    _("This token lacks the %(scope)s scope.", scope=scope),
                    headers={
                        "WWW-Authenticate": (
                            f'Bearer {REALM}, error="insufficient_scope", scope="{scope}"'
                        )
                    },
                )
            g.api_token = token
            g.api_user = token.user
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


def api_user() -> User:
    """The staff member the request's token acts as."""
    user: User = g.api_user
    return user


def api_actor() -> Actor:
    """The request's actor: the token's owner, through the API, from the client's address."""
    return Actor.staff(api_user(), Channel.API, request.remote_addr)


def employer_case(reference: str) -> Case:
    """The case the X-Case-Token opens: 401 for a missing or unknown token, 404 for another case."""
    token = request.headers.get(CASE_TOKEN_HEADER, "").strip()
    challenge = {"WWW-Authenticate": 'CaseToken realm="desk-case", header="X-Case-Token"'}
    if not token:
        raise ApiProblem(
            "unauthorized",
            _("Send the case token from the submission as the X-Case-Token header."),
            headers=challenge,
        )
    try:
        # The raw token of the submission, or the signed one a replayed submission returns.
        case = case_tokens.case_for_link(db_session(), str(current_app.config["SECRET_KEY"]), token)
    except NotFound as exc:
        raise ApiProblem(
            "unauthorized", _("The case token is not valid."), headers=challenge
        ) from exc
    if case.reference != reference.upper():
        raise ApiProblem("not-found")
    return case
