"""Typed SQLAlchemy models: persistence only, no business rules."""

from desk.models.api import ApiToken, IdempotencyKey
from desk.models.attachment import Attachment, CaseWorkplace
from desk.models.audit import AuditChainHead, AuditEntry
from desk.models.base import Base
from desk.models.canned_response import CannedResponse
from desk.models.case import Case, CaseEvent, CaseMessage, ReferenceCounter
from desk.models.case_link import CaseLink
from desk.models.data_stamp import DataStamp
from desk.models.inbound import InboundMessage
from desk.models.notification import (
    EmployerOptOut,
    Notification,
    NotificationPreference,
    WebhookSubscription,
)
from desk.models.operations import Employer, StaffChange
from desk.models.outbox import OutboxMessage
from desk.models.portal import Contact, Organisation, SignInToken
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
from desk.models.user import RecoveryCode, User, team_members

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
    "Contact",
    "DataStamp",
    "Employer",
    "EmployerOptOut",
    "IdempotencyKey",
    "InboundMessage",
    "KeyAccount",
    "Municipality",
    "Need",
    "Notification",
    "NotificationPreference",
    "Organisation",
    "OutboxMessage",
    "RecoveryCode",
    "ReferenceCounter",
    "RoutingRuleSetVersion",
    "SatisfactionResponse",
    "SignInToken",
    "SlaEvent",
    "SlaPolicy",
    "StaffChange",
    "Team",
    "TeamRoutingSettings",
    "User",
    "WebhookSubscription",
    "team_members",
    "utcnow",
]
