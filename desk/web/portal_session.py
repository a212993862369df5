"""The employer's side of the browser session (not Flask-Login, which is staff's): the cases
opened by their private links in this session, and the signed-in contact.

Shared by the employer link (which exchanges a token for a grant) and the portal (which reads
both), as feature packages may not import each other.
"""

from __future__ import annotations

from flask import session

from desk.services import organisations
from desk.services.access import EmployerPrincipal
from desk.web.extensions import db_session

GRANTS = "portal_grants"
CONTACT = "portal_contact"
# The cookie holds the ids; a person rarely follows more links in one session.
MAX_GRANTS = 50


def grant(case_id: int) -> None:
    """Remember that this browser opened the case by its private link."""
    held = [int(i) for i in session.get(GRANTS, []) if int(i) != case_id]
    session[GRANTS] = [*held[-(MAX_GRANTS - 1) :], case_id]


def grants() -> frozenset[int]:
    """The cases this browser opened by their private links."""
    return frozenset(int(i) for i in session.get(GRANTS, []))


def contact_id() -> int | None:
    """The signed-in contact's id, if any."""
    value = session.get(CONTACT)
    return int(value) if isinstance(value, int) else None


def sign_in(contact: int) -> None:
    """A new employer session for the contact: earlier grants go (another person's, maybe)."""
    session.pop(GRANTS, None)
    session[CONTACT] = contact


def sign_out() -> None:
    """Forget the contact and every grant."""
    session.pop(GRANTS, None)
    session.pop(CONTACT, None)


def principal() -> EmployerPrincipal:
    """Who is looking, read afresh from the database (removal takes effect at once)."""
    return organisations.principal(db_session(), contact_id(), grants())
