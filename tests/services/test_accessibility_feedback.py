"""Accessibility feedback becomes a case with the 14-day answer target (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.domain.accessibility_feedback import InvalidFeedback, RawFeedback
from desk.domain.intake import InvalidSubmission
from desk.models import CaseSlaTarget, OutboxMessage
from desk.services import accessibility_feedback, cases
from tests.conftest import raw_submission


def test_feedback_becomes_a_case_for_the_intake_team(session: Session) -> None:
    case = accessibility_feedback.submit_feedback(
        session,
        RawFeedback(
            name="Aino",
            email="aino@example.fi",
            page="/request",
            description="The error summary is not read out.",
            language="sv",
        ),
    )
    assert case.need_code == "accessibility-feedback"
    assert case.team.slug == "regional-intake" and case.routing_rule == "accessibility-feedback"
    assert case.routing_reason.startswith("Respons om tillgänglighet")
    assert (case.business_id, case.contact_name, case.language) == ("", "Aino", "sv")
    assert "/request" in case.description and "not read out" in case.description
    targets = {
        t.target: t
        for t in session.scalars(select(CaseSlaTarget).where(CaseSlaTarget.case_id == case.id))
    }
    # 10 business days (4,800 business minutes) is 14 calendar days.
    assert (targets["resolution"].due_at - case.created_at).days in (13, 14, 15, 16)
    kinds = set(session.scalars(select(OutboxMessage.kind).where(OutboxMessage.case_id == case.id)))
    assert "email.case_received" in kinds


def test_invalid_feedback_names_every_field(session: Session) -> None:
    with pytest.raises(InvalidFeedback) as caught:
        accessibility_feedback.submit_feedback(
            session,
            RawFeedback(name="A\x00", email="not-an-address", page="x" * 2001, description=""),
        )
    assert caught.value.errors == {
        "name": "control_characters",
        "email": "invalid",
        "page": "too_long",
        "description": "required",
    }


def test_the_request_form_cannot_file_accessibility_feedback(session: Session) -> None:
    with pytest.raises(InvalidSubmission) as caught:
        cases.submit_case(session, raw_submission(need="accessibility-feedback"))
    assert caught.value.errors == {"need": "unknown"}
