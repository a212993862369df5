"""Typed SQLAlchemy models: persistence only, no business rules."""

from desk.models.api import ApiToken, IdempotencyKey
from desk.models.attachment import Attachment, CaseWorkplace
from desk.models.audit import AuditChainHead, AuditEntry
from desk.models.base import Base
from desk.models.canned_response import CannedResponse
from desk.models.case import Case, CaseEvent, CaseMessage, ReferenceCounter
from desk.models.case_link import CaseLink
from desk.models.data_stamp import DataStamp
from desk.models.notification import (
    EmployerOptOut,
    Notification,
    NotificationPreference,
    WebhookSubscription,
)
from desk.models.outbox import OutboxMessage
from desk.models.public import CaseEmailChoice, SatisfactionResponse
from desk.models.reference import Authority, Municipality, Need, Team
from desk.models.routing import (
    CaseCollaborator,
    CaseFollower,
    KeyAccount,
    RoutingRuleSetVersion,
    TeamRoutingSettings,
)
from desk.models.sla import BusinessHoursRow, CaseSlaTarget, ClosureDay, SlaEvent, SlaPolicy
from desk.models.types import utcnow
from desk.models.user import User, team_members

__all__ = [
    "ApiToken",
    "Attachment",
    "AuditChainHead",
    "AuditEntry",
    "Authority",
    "Base",
    "BusinessHoursRow",
    "CannedResponse",
    "Case",
    "CaseCollaborator",
    "CaseEmailChoice",
    "CaseEvent",
    "CaseFollower",
    "CaseLink",
    "CaseMessage",
    "CaseSlaTarget",
    "CaseWorkplace",
    "ClosureDay",
    "DataStamp",
    "EmployerOptOut",
    "IdempotencyKey",
    "KeyAccount",
    "Municipality",
    "Need",
    "Notification",
    "NotificationPreference",
    "OutboxMessage",
    "ReferenceCounter",
    "RoutingRuleSetVersion",
    "SatisfactionResponse",
    "SlaEvent",
    "SlaPolicy",
    "Team",
    "TeamRoutingSettings",
    "User",
    "WebhookSubscription",
    "team_members",
    "utcnow",
]
