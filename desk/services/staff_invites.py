"""Inviting a staff member: a set-password link by email, valid 72 hours, used once.

No secret is stored. The link signs the person's id, a stamp of their account's current
state (password hash and session version) and the invitation's time; setting a password
changes both, so a used link no longer matches and is refused, and so is any older link.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy.orm import Session

from desk.domain.notification_catalogue import Kind
from desk.models import User, utcnow
from desk.services import outbox, signed_links

LIFETIME_SECONDS = signed_links.SET_PASSWORD_MAX_AGE_SECONDS
LANGUAGES = ("fi", "sv", "en")


class BadInvitation(ValueError):
    """The link is forged, expired, already used, or its person is gone or deactivated."""


def account_stamp(user: User) -> str:
    """A short digest of what setting a password changes (not a secret: the link is signed)."""
    material = f"{user.id}:{user.password_hash}:{user.session_version}".encode()
    return hashlib.sha256(material).hexdigest()[:24]


def invite(session: Session, user: User, now: datetime | None = None) -> None:
    """Queue the set-password email to the person, in their desk language (no commit)."""
    issued_at = int((now or utcnow()).timestamp())
    language = user.ui_language if user.ui_language in LANGUAGES else "fi"
    outbox.enqueue(
        session,
        Kind.STAFF_INVITATION,
        {
            "user_id": user.id,
            "stamp": account_stamp(user),
            "issued_at": issued_at,
            "language": language,
        },
    )


def invited_user(session: Session, secret: str, token: str, now: datetime | None = None) -> User:
    """The active person a set-password token is for; BadInvitation otherwise."""
    try:
        link = signed_links.read_set_password_token(secret, token)
    except signed_links.BadLink as exc:
        raise BadInvitation(str(exc)) from exc
    # The invitation's own time decides (the signature is made when the email is built).
    age = int((now or utcnow()).timestamp()) - link.issued_at
    if age > LIFETIME_SECONDS or age < -300:
        raise BadInvitation("expired invitation")
    user = session.get(User, link.user_id)
    if user is None or not user.active:
        raise BadInvitation("no such active staff member")
    if account_stamp(user) != link.stamp:
        raise BadInvitation("invitation already used")
    return user
