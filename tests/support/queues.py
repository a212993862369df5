"""A person's queue in service tests: the cases of one page of desk.services.queues."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from desk.models import Case
from desk.services import queues
from tests.support.actors import as_staff


def queued(session: Session, user: Any, name: str = "next", sort: str | None = None) -> list[Case]:
    """The first 100 cases of the user's queue `name` (next, watching, ...) in `sort` order."""
    actor = as_staff(user)
    queue = queues.open_queue(session, actor, name)
    page = queues.list_queue(session, actor, queue, sort=queues.read_sort(sort, queue), limit=100)
    return page.cases
