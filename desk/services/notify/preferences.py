"""Staff delivery choices per event type, and employers' opt-outs.

An employer's choice is either a case's (made through that case's private link or a link
sent for that case) or a person's (keyed by the address, changed only through a signed link
sent to that address, or by the signed-in portal contact of that address). A case's own
choice wins over the person's. So submitting a case with someone's address can change the
choices of that one case only, never the person's choices for their other cases.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from desk.domain.errors import FieldErrors
from desk.domain.notification_catalogue import Delivery, EventType, staff_event_types
from desk.models import Case, CaseEmailChoice, EmployerOptOut, NotificationPreference, User, utcnow
from desk.services import signed_links


class InvalidPreferences(FieldErrors):
    """Some choices are not valid; errors maps event type to an error code."""


def stored_choices(session: Session, user_ids: Iterable[int]) -> dict[tuple[int, str], Delivery]:
    """Saved choices of these users, keyed by (user id, event type)."""
    ids = list(user_ids)
    if not ids:
        return {}
    rows = session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id.in_(ids))
    )
    return {(row.user_id, row.event_type): Delivery(row.delivery) for row in rows}


def choice(session: Session, user_id: int, event_type: str) -> Delivery | None:
    """A user's saved choice for an event type, or None (the type's default applies)."""
    return stored_choices(session, [user_id]).get((user_id, event_type))


def choices_of(session: Session, user_id: int) -> list[tuple[EventType, Delivery]]:
    """Every configurable staff event type with the user's choice (or its default)."""
    saved = stored_choices(session, [user_id])
    return [
        (entry, saved.get((user_id, entry.key), entry.default_delivery))
        for entry in staff_event_types()
    ]


def save_choices(session: Session, user: User, submitted: Mapping[str, str]) -> None:
    """Store the user's choices; every configurable type must have a valid value."""
    valid = {delivery.value for delivery in Delivery}
    errors: dict[str, str] = {}
    clean: dict[str, Delivery] = {}
    for entry in staff_event_types():
        value = submitted.get(entry.key, "")
        if not value:
            errors[entry.key] = "required"
        elif value not in valid:
            errors[entry.key] = "invalid"
        else:
            clean[entry.key] = Delivery(value)
    if errors:
        raise InvalidPreferences(errors)
    session.execute(delete(NotificationPreference).where(NotificationPreference.user_id == user.id))
    now = utcnow()
    for key, delivery in clean.items():
        session.add(
            NotificationPreference(
                user_id=user.id, event_type=key, delivery=delivery.value, updated_at=now
            )
        )
    session.commit()


def _address(email: str) -> str:
    return email.strip().lower()


def employer_opted_out(session: Session, email: str) -> bool:
    """True when the address asked for the legally necessary messages only."""
    return session.get(EmployerOptOut, _address(email)) is not None


def set_employer_opt_out(session: Session, email: str, opted_out: bool) -> None:
    """Opt an employer address (a person) out of optional messages, or back in.

    Only for a caller that has proved it controls the address: a signed link sent to it
    (apply_link_choice) or the portal's signed-in contact of that address.
    """
    address = _address(email)
    row = session.get(EmployerOptOut, address)
    if opted_out and row is None:
        session.add(EmployerOptOut(email=address, created_at=utcnow()))
    elif not opted_out and row is not None:
        session.delete(row)
    session.commit()


CHOICES = ("all", "necessary")


class InvalidChoice(FieldErrors):
    """The submitted email choice is missing or unknown; errors maps field to code."""


class LinkNotValid(LookupError):
    """An email-choices link is forged, malformed, or its case is gone or readdressed."""


def case_choice(session: Session, case_id: int) -> str | None:
    """The case's own choice ("all" | "necessary"), or None when it has none."""
    row = session.get(CaseEmailChoice, case_id)
    return row.choice if row is not None else None


def employer_opted_out_for_case(session: Session, case: Case) -> bool:
    """True when the emails of this case should be the necessary ones only: the case's own
    choice, else the person's (the address's)."""
    own = case_choice(session, case.id)
    if own is not None:
        return own == "necessary"
    return employer_opted_out(session, case.email)


def effective_choice(session: Session, case: Case) -> str:
    """The choice that applies to the case's emails now."""
    return "necessary" if employer_opted_out_for_case(session, case) else "all"


def _check_choice(choice: str) -> None:
    if choice not in CHOICES:
        raise InvalidChoice({"emails": "required" if not choice else "invalid"})


def set_case_choice(session: Session, case: Case, choice: str) -> None:
    """Store the email choice of one case (from its private link or a link sent for it)."""
    _check_choice(choice)
    row = session.get(CaseEmailChoice, case.id)
    if row is None:
        session.add(CaseEmailChoice(case_id=case.id, choice=choice, updated_at=utcnow()))
    else:
        row.choice = choice
        row.updated_at = utcnow()
    session.commit()


def person_email_choice(session: Session, email: str) -> str:
    """A person's choice ("all" | "necessary"), for the portal's signed-in contact."""
    return "necessary" if employer_opted_out(session, email) else "all"


def set_person_email_choice(session: Session, email: str, choice: str) -> None:
    """A person's choice for every case of the address, for a caller that has verified the
    address (the portal's signed-in contact); the case's own choices are left as they are."""
    _check_choice(choice)
    set_employer_opt_out(session, email, choice == "necessary")


def case_for_link(session: Session, secret: str, token: str) -> Case:
    """The case an email-choices link was sent for; raises LinkNotValid.

    The link names the address it was sent to; when the case's address has changed since,
    the link no longer speaks for it.
    """
    try:
        link = signed_links.read_email_choices_token(secret, token)
    except signed_links.BadLink as exc:
        raise LinkNotValid(str(exc)) from exc
    case = session.get(Case, link.case_id)
    if case is None or _address(case.email) != link.email:
        raise LinkNotValid("the case is gone or has another address")
    return case


def apply_link_choice(
    session: Session, secret: str, token: str, choice: str, scope: str = "case"
) -> Case:
    """Apply a choice made through a signed link: to the case it was sent for, or (scope
    "person") to every case of the address it was sent to, which the link proves."""
    case = case_for_link(session, secret, token)
    _check_choice(choice)
    if scope == "person":
        # The person's choice applies to every case; a case's own earlier choice for this
        # address would silently override it, so it goes with it.
        set_employer_opt_out(session, case.email, choice == "necessary")
        session.execute(delete(CaseEmailChoice).where(CaseEmailChoice.case_id == case.id))
        session.commit()
    elif scope == "case":
        set_case_choice(session, case, choice)
    else:
        raise InvalidChoice({"scope": "invalid"})
    return case


def one_click_unsubscribe(session: Session, secret: str, token: str) -> Case:
    """RFC 8058 one-click: the case the link was sent for gets the necessary emails only."""
    return apply_link_choice(session, secret, token, "necessary", "case")
