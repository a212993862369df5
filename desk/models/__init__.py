"""Typed SQLAlchemy models: persistence only, no business rules."""

from desk.models.base import Base
from desk.models.case import Case, CaseEvent, CaseMessage, ReferenceCounter
from desk.models.outbox import OutboxMessage
from desk.models.reference import Authority, Municipality, Need, Team
from desk.models.routing import (
    CaseCollaborator,
    CaseFollower,
    KeyAccount,
    RoutingRuleSetVersion,
    TeamRoutingSettings,
)
from desk.models.types import utcnow
from desk.models.user import User, team_members

__all__ = [
    "Authority",
    "Base",
    "Case",
    "CaseCollaborator",
    "CaseEvent",
    "CaseFollower",
    "CaseMessage",
    "KeyAccount",
    "Municipality",
    "Need",
    "OutboxMessage",
    "ReferenceCounter",
    "RoutingRuleSetVersion",
    "Team",
    "TeamRoutingSettings",
    "User",
    "team_members",
    "utcnow",
]
