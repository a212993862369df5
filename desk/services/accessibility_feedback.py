"""Accessibility feedback (Act 306/2019 §15) becomes a case: need accessibility-feedback,
routed by the rules (to the regional intake team), with its 10-business-day (14-day)
resolution target, and the sender gets the usual confirmation email."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from desk.domain.accessibility_feedback import RawFeedback, validate_feedback
from desk.domain.intake import ACCESSIBILITY_FEEDBACK_NEED, CleanSubmission
from desk.models import Case
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
    )
    session.commit()
    return case
