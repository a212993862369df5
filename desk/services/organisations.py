"""Organisations (by Business ID) and their contact persons: linked to every submitted case,
verified by signing in, kept by the organisation's admin contact (invite, remove).

The first contact of an organisation to sign in becomes its admin contact; staff can name
another (`desk portal make-admin`). Who may see which case is desk.services.access's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from desk.db import insert_for
from desk.domain.notification_catalogue import Kind
from desk.models import Case, Contact, Organisation, utcnow
from desk.services.access import EmployerPrincipal
from desk.services.errors import Conflict, Forbidden, NotFound
from desk.services.identity import magic_link
from desk.services.identity.provider import VerifiedIdentity

LANGUAGES = ("fi", "sv", "en")


def address(email: str) -> str:
    """The form an address is stored and compared in."""
    return email.strip().lower()


def _organisation(session: Session, business_id: str, name: str) -> Organisation:
    # Two submissions of a new employer at once: one INSERT wins, both read the same row.
    session.execute(
        insert_for(session, Organisation)
        .values(business_id=business_id, name=name[:200], created_at=utcnow())
        .on_conflict_do_nothing(index_elements=[Organisation.business_id])
    )
    found = session.scalar(select(Organisation).where(Organisation.business_id == business_id))
    assert found is not None
    return found


def _contact(session: Session, email: str, name: str, organisation_id: int | None) -> Contact:
    session.execute(
        insert_for(session, Contact)
        .values(
            email=email,
            name=name[:200],
            organisation_id=organisation_id,
            is_org_admin=False,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=[Contact.email])
    )
    found = session.scalar(select(Contact).where(Contact.email == email))
    assert found is not None
    if found.organisation_id is None and organisation_id is not None and found.removed_at is None:
        found.organisation_id = organisation_id
    return found


def link_case(session: Session, case: Case) -> None:
    """Link a new case to its organisation (made if new) and contact (made unverified)."""
    organisation_id = None
    if case.business_id:
        organisation_id = _organisation(session, case.business_id, case.organisation_name).id
        case.organisation_id = organisation_id
    if case.email:
        case.contact_id = _contact(
            session, address(case.email), case.contact_name, organisation_id
        ).id


def principal(
    session: Session, contact_id: int | None, grants: frozenset[int]
) -> EmployerPrincipal:
    """Who is looking, read afresh on every request (a removal takes effect at once)."""
    contact = session.get(Contact, contact_id) if contact_id is not None else None
    if contact is None or contact.verified_at is None or contact.removed_at is not None:
        return EmployerPrincipal(grants=grants)
    return EmployerPrincipal(
        contact_id=contact.id,
        organisation_id=contact.organisation_id,
        is_org_admin=contact.is_org_admin and contact.organisation_id is not None,
        grants=grants,
    )


def sign_in(session: Session, identity: VerifiedIdentity, now: datetime | None = None) -> Contact:
    """The contact a verified identity is: made if new, verified, given the cases sent with
    their address before they had an account; the organisation's first admin if it has none.
    NotFound for a removed contact (they have no account any more)."""
    now = now or utcnow()
    email = address(identity.email)
    contact = session.scalar(select(Contact).where(Contact.email == email))
    if contact is None:
        contact = _contact(session, email, "", None)
    if contact.removed_at is not None:
        session.rollback()
        raise NotFound("contact")
    if contact.verified_at is None:
        contact.verified_at = now
    session.execute(
        update(Case)
        .where(Case.contact_id.is_(None), func.lower(Case.email) == email)
        .values(contact_id=contact.id)
    )
    if contact.organisation_id is not None and not contact.is_org_admin:
        has_admin = session.scalar(
            select(Contact.id).where(
                Contact.organisation_id == contact.organisation_id,
                Contact.is_org_admin.is_(True),
                Contact.removed_at.is_(None),
            )
        )
        if has_admin is None:
            contact.is_org_admin = True
    session.commit()
    return contact


def prefill(session: Session, who: EmployerPrincipal) -> dict[str, str]:
    """The request form's fields a signed-in contact need not type again."""
    if who.contact_id is None:
        return {}
    contact = session.get(Contact, who.contact_id)
    if contact is None:
        return {}
    values = {"email": contact.email}
    if contact.name:
        values["contact_name"] = contact.name
    organisation = organisation_of(session, who)
    if organisation is not None:
        values["business_id"] = organisation.business_id
        values["organisation_name"] = organisation.name
    return values


def set_language(session: Session, contact_id: int, language: str) -> None:
    """The language a contact chose in the portal: their emails use it from now on."""
    contact = session.get(Contact, contact_id)
    if contact is None or language not in LANGUAGES:
        return
    contact.language = language
    session.commit()


def chosen_language(session: Session, email: str) -> str | None:
    """The language the person at this address chose in the portal, if they ever did."""
    return session.scalar(
        select(Contact.language).where(
            Contact.email == address(email), Contact.removed_at.is_(None)
        )
    )


@dataclass(frozen=True)
class Colleague:
    """A contact of the organisation, as its admin sees them."""

    id: int
    email: str
    name: str
    is_org_admin: bool
    verified: bool


def _admin(session: Session, who: EmployerPrincipal) -> Contact:
    if not who.is_org_admin or who.contact_id is None:
        raise Forbidden("only the organisation's admin contact may do this")
    contact = session.get(Contact, who.contact_id)
    assert contact is not None
    return contact


def organisation_of(session: Session, who: EmployerPrincipal) -> Organisation | None:
    """The principal's organisation (None without one)."""
    if who.organisation_id is None:
        return None
    return session.get(Organisation, who.organisation_id)


def colleagues(session: Session, who: EmployerPrincipal) -> list[Colleague]:
    """The organisation's active contacts, for its admin."""
    admin = _admin(session, who)
    rows = session.scalars(
        select(Contact)
        .where(Contact.organisation_id == admin.organisation_id, Contact.removed_at.is_(None))
        .order_by(Contact.id)
    )
    return [
        Colleague(c.id, c.email, c.name, c.is_org_admin, c.verified_at is not None) for c in rows
    ]


def invite(session: Session, who: EmployerPrincipal, email: str, language: str) -> Contact:
    """Add a colleague to the organisation and email them a sign-in link.

    ValueError("invalid") for an address that is not one; Conflict("other_organisation")
    when the address is another organisation's contact.
    """
    admin = _admin(session, who)
    email = address(email)
    if "@" not in email or len(email) > 254 or any(ch.isspace() for ch in email):
        raise ValueError("invalid")
    contact = session.scalar(select(Contact).where(Contact.email == email))
    if contact is None:
        contact = _contact(session, email, "", admin.organisation_id)
    elif contact.removed_at is None and contact.organisation_id not in (
        None,
        admin.organisation_id,
    ):
        raise Conflict("other_organisation")
    contact.organisation_id = admin.organisation_id
    contact.removed_at = None
    magic_link.issue(session, email, language, utcnow(), Kind.PORTAL_INVITATION)
    session.commit()
    return contact


def remove(session: Session, who: EmployerPrincipal, contact_id: int) -> None:
    """Take a colleague off the organisation: they lose its cases at once (their account
    goes with it). An admin cannot remove themselves (the organisation would have none)."""
    admin = _admin(session, who)
    contact = session.get(Contact, contact_id)
    if contact is None or contact.organisation_id != admin.organisation_id:
        raise NotFound(str(contact_id))
    if contact.id == admin.id:
        raise Conflict("self")
    contact.removed_at = utcnow()
    contact.is_org_admin = False
    session.commit()


def make_admin(session: Session, email: str) -> Contact:
    """Staff name the admin contact of the address's organisation (the CLI's make-admin)."""
    contact = session.scalar(select(Contact).where(Contact.email == address(email)))
    if contact is None or contact.organisation_id is None or contact.removed_at is not None:
        raise NotFound(email)
    contact.is_org_admin = True
    session.commit()
    return contact
