"""The employer's private case token: made once at submission, stored only as its sha256.

The raw token is handed out once (the redirect after the web form, the API's submit
response); every later lookup hashes what it is given. Emails carry a signed link instead
(signed_links.employer_case_token), so the desk never needs the raw token again.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.models import Case
from desk.services import signed_links
from desk.services.errors import NotFound

MAX_TOKEN = 200  # a signed link is longer than a raw token


def hash_token(raw: str) -> str:
    """The stored form of a private token (sha256, hex)."""
    return hashlib.sha256(raw.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh private token and its hash: (raw, hash)."""
    raw = secrets.token_urlsafe(32)
    return raw, hash_token(raw)


def lookup(session: Session, raw: str) -> Case | None:
    """The case whose private token this is, or None."""
    if not raw or len(raw) > 64:
        return None
    return session.scalar(select(Case).where(Case.employer_token_hash == hash_token(raw)))


def case_for_link(session: Session, secret: str, token: str) -> Case:
    """The case behind an employer link: a raw private token or a signed email link.

    A signed link names the case and the address it was sent to; it opens the case only while
    that is still the case's address (a corrected address cuts the old link off).
    """
    if not token or len(token) > MAX_TOKEN:
        raise NotFound("token")
    case = lookup(session, token)
    if case is not None:
        return case
    try:
        link = signed_links.read_employer_case_token(secret, token)
    except signed_links.BadLink as exc:
        raise NotFound("token") from exc
    case = session.get(Case, link.case_id)
    if case is None or case.email.strip().lower() != link.email:
        raise NotFound("token")
    return case
