"""Key-account advisers: an employer's (Business ID) named single point of contact."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.domain.business_id import InvalidBusinessId, normalise_business_id
from desk.domain.errors import FieldErrors
from desk.models import Case, KeyAccount, User, utcnow
from desk.services.access import Actor, Role, require_admin
from desk.services.errors import NotFound


class InvalidKeyAccount(FieldErrors):
    """Some fields are invalid; errors maps field name to an error code."""


def list_key_accounts(session: Session) -> list[KeyAccount]:
    """Every named key-account adviser, by Business ID."""
    return list(session.scalars(select(KeyAccount).order_by(KeyAccount.business_id)))


def organisation_names(session: Session, business_ids: list[str]) -> dict[str, str]:
    """The organisation name of each Business ID as given in its latest case."""
    names: dict[str, str] = {}
    stmt = (
        select(Case.business_id, Case.organisation_name)
        .where(Case.business_id.in_(business_ids))
        .order_by(Case.created_at)
    )
    for business_id, name in session.execute(stmt):
        names[business_id] = name
    return names


def candidate_advisers(session: Session) -> list[User]:
    """Active advisers who can be named."""
    stmt = select(User).where(User.active.is_(True), User.role == Role.ADVISER)
    return list(session.scalars(stmt.order_by(User.name, User.id)))


def name_key_account(
    session: Session, actor: Actor, business_id: str, adviser_id: str | int | None
) -> KeyAccount:
    """Name (or replace) the key-account adviser of an employer; raises InvalidKeyAccount."""
    admin = require_admin(actor, "name key-account advisers")
    errors: dict[str, str] = {}
    normalised = ""
    try:
        normalised = normalise_business_id(business_id)
    except InvalidBusinessId as exc:
        errors["business_id"] = "required" if not business_id.strip() else exc.code
    adviser: User | None = None
    if adviser_id in (None, ""):
        errors["adviser"] = "required"
    else:
        try:
            adviser = session.get(User, int(adviser_id))
        except ValueError:
            adviser = None
        if adviser is None or not adviser.active or adviser.role != Role.ADVISER:
            errors["adviser"] = "invalid"
    if errors:
        raise InvalidKeyAccount(errors)
    assert adviser is not None
    account = session.get(KeyAccount, normalised)
    if account is None:
        account = KeyAccount(business_id=normalised)
        session.add(account)
    account.adviser_id = adviser.id
    account.adviser = adviser
    account.named_by_id = admin.id
    account.created_at = utcnow()
    session.commit()
    return account


def remove_key_account(session: Session, actor: Actor, business_id: str) -> None:
    """The employer no longer has a named adviser."""
    require_admin(actor, "name key-account advisers")
    account = session.get(KeyAccount, business_id)
    if account is None:
        raise NotFound(business_id)
    session.delete(account)
    session.commit()
