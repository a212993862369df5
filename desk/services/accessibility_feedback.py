"""Accessibility feedback (Act 306/2019 §15) becomes a case: need accessibility-feedback,
for the regional intake team (the employers' routing rules do not apply to it), with its
10-business-day (14-day) resolution target, and the sender gets the usual confirmation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.domain import accessibility_feedback as rules
from desk.domain.accessibility_feedback import RawFeedback, validate_feedback
from desk.domain.intake import ACCESSIBILITY_FEEDBACK_NEED, CleanSubmission
from desk.domain.routing import RoutingDecision
from desk.models import Case, Team
from desk.services.access import Actor, Channel
from desk.services.cases import store_case


def submit_feedback(
    session: Session, raw: RawFeedback, now: datetime | None = None, actor: Actor | None = None
) -> Case:
    """Validate the feedback and file it as a case; raises InvalidFeedback, stores nothing then.

    The feedback has no organisation nor workplace: the Business ID and the municipality stay
    empty, and the sender's name (or address) stands for the organisation in the queues.
    """
    clean = validate_feedback(raw)
    where = clean.page or "-"
    team = session.scalars(select(Team).where(Team.slug == rules.TEAM)).one()
    decision = RoutingDecision(
        team=team.slug,
        authority=team.authority_slug,
        rule=rules.RULE,
        reason=rules.REASONS[clean.language],
    )
    case = store_case(
        session,
        CleanSubmission(
            business_id="",
            organisation_name=(clean.name or clean.email)[:200],
            contact_name=clean.name,
            email=clean.email,
            phone="",
            municipality_text="",
            need=ACCESSIBILITY_FEEDBACK_NEED,
            affected_employees=None,
            description=f"{where}\n\n{clean.description}",
            language=clean.language,
        ),
        now,
        actor or Actor.employer(Channel.WEB),
        decision,
    )
    session.commit()
    return case
