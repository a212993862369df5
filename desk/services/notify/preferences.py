"""Staff delivery choices per event type, and employers' opt-outs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from desk.domain.errors import FieldErrors
from desk.domain.notification_catalogue import Delivery, EventType, staff_event_types
from desk.models import EmployerOptOut, NotificationPreference, User, utcnow


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
    """Opt an employer address out of optional messages, or back in."""
    address = _address(email)
    row = session.get(EmployerOptOut, address)
    if opted_out and row is None:
        session.add(EmployerOptOut(email=address, created_at=utcnow()))
    elif not opted_out and row is not None:
        session.delete(row)
    session.commit()
