"""Staff API tokens: created by administrators, stored hashed, scoped, revocable.

A token is `desk_` followed by 43 random URL-safe characters (256 bits). Only its SHA-256
is stored, so a database leak reveals no usable token; the secret is shown once. A token
acts as the staff member who owns it: every access rule is that user's (desk.services.access).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.domain.errors import FieldErrors
from desk.models import ApiToken, User, utcnow
from desk.services.access import Actor, require_admin
from desk.services.errors import NotFound

TOKEN_PREFIX = "desk_"
SCOPES = ("read", "write", "reports")
MAX_NAME = 100
PREFIX_SHOWN = 12  # "desk_" and the first 7 random characters identify a token in lists
# last_used_at is written at most this often per token, so reads do not all become writes.
LAST_USED_PRECISION = timedelta(seconds=60)


class InvalidApiToken(FieldErrors):
    """Some fields are invalid; errors maps field name (name, user, scopes) to an error code."""


@dataclass(frozen=True)
class NewToken:
    """A token just created: the stored row and the secret, which is never shown again."""

    token: ApiToken
    secret: str


def hash_token(secret: str) -> str:
    """The stored form of a token: hex SHA-256 of the whole secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def looks_like_token(secret: str) -> bool:
    """A cheap shape check before touching the database."""
    return secret.startswith(TOKEN_PREFIX) and 20 <= len(secret) <= 100


def token_owners(session: Session) -> list[User]:
    """Active staff members a token can be created for, by name."""
    stmt = select(User).where(User.active.is_(True)).order_by(User.name, User.id)
    return list(session.scalars(stmt))


def create_token(
    session: Session, actor: Actor, user_id: int | None, name: str, scopes: list[str]
) -> NewToken:
    """Create a token for a staff member (administrators only); the secret is returned once."""
    admin = require_admin(actor, "create API tokens")
    errors: dict[str, str] = {}
    label = name.strip()
    if not label:
        errors["name"] = "required"
    elif len(label) > MAX_NAME:
        errors["name"] = "too_long"
    owner = session.get(User, user_id) if user_id is not None else None
    if user_id is None:
        errors["user"] = "required"
    elif owner is None or not owner.active:
        errors["user"] = "invalid"
    chosen = sorted(set(scopes), key=lambda s: SCOPES.index(s) if s in SCOPES else len(SCOPES))
    if not chosen:
        errors["scopes"] = "required"
    elif any(scope not in SCOPES for scope in chosen):
        errors["scopes"] = "invalid"
    if errors:
        raise InvalidApiToken(errors)
    assert owner is not None
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=owner.id,
        user=owner,
        name=label,
        token_prefix=secret[:PREFIX_SHOWN],
        token_hash=hash_token(secret),
        scopes=",".join(chosen),
        created_at=utcnow(),
        created_by_id=admin.id,
    )
    session.add(token)
    session.commit()
    return NewToken(token, secret)


def list_tokens(session: Session) -> list[ApiToken]:
    """Every token, active ones first, newest first."""
    stmt = select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
    return list(session.scalars(stmt))


def revoke_token(session: Session, actor: Actor, token_id: int) -> ApiToken:
    """Stop a token from working (administrators only); revoking twice changes nothing."""
    admin = require_admin(actor, "revoke API tokens")
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(str(token_id))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        token.revoked_by_id = admin.id
        session.commit()
    return token


def authenticate(session: Session, secret: str, now: datetime | None = None) -> ApiToken | None:
    """The live token with this secret (owner active, not revoked), its last use recorded."""
    if not looks_like_token(secret):
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = now or utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
        session.commit()
    return token
