"""Actors for tests: a staff member acting through the web, as the pages would pass them."""

from __future__ import annotations

from desk.models import User
from desk.services.access import Actor, Channel


def as_staff(user: User, channel: Channel = Channel.WEB) -> Actor:
    """The user acting as staff (from the loopback address)."""
    return Actor.staff(user, channel, "127.0.0.1")
