"""Typed SQLAlchemy models: persistence only, no business rules."""

from desk.models.base import Base
from desk.models.case import Case, CaseEvent, CaseMessage, ReferenceCounter
from desk.models.notification import (
    EmployerOptOut,
    Notification,
    NotificationPreference,
    WebhookSubscription,
)
from desk.models.outbox import OutboxMessage
from desk.models.reference import Authority, Municipality, Need, Team
from desk.models.types import utcnow
from desk.models.user import User, team_members

__all__ = [
    "Authority",
    "Base",
    "Case",
    "CaseEvent",
    "CaseMessage",
    "EmployerOptOut",
    "Municipality",
    "Need",
    "Notification",
    "NotificationPreference",
    "OutboxMessage",
    "ReferenceCounter",
    "Team",
    "User",
    "WebhookSubscription",
    "team_members",
    "utcnow",
]
