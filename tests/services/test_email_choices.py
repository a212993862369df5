"""Email choices: a case's own choice, a person's choice only through a link sent to the
address, the RFC 8058 one-click, and the delivery gate that reads them (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.models import OutboxMessage
from desk.services import cases, signed_links
from desk.services.notify import delivery, preferences
from tests.conftest import raw_submission
from tests.support.actors import as_staff

SECRET = "test-secret"
CONFIG = {
    "BASE_URL": "http://desk.test",
    "SECRET_KEY": SECRET,
    "MAIL_FROM": "Desk <desk@desk.invalid>",
}


def _last_row(session: Session, kind: str, case_id: int) -> OutboxMessage:
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.kind == kind, OutboxMessage.case_id == case_id)
        .order_by(OutboxMessage.id.desc())
    )
    row = session.scalars(stmt).first()
    assert row is not None
    return row


def test_a_case_link_changes_that_case_only(session: Session) -> None:
    """Someone who submits a case with Teija's address cannot opt her other cases out."""
    hers = cases.submit_case(session, raw_submission(email="teija@example.fi"))
    theirs = cases.submit_case(session, raw_submission(email="Teija@example.fi"))
    preferences.set_case_choice(session, theirs, "necessary")
    assert preferences.employer_opted_out_for_case(session, theirs)
    assert not preferences.employer_opted_out_for_case(session, hers)
    assert not preferences.employer_opted_out(session, "teija@example.fi")


def test_a_signed_link_speaks_for_its_case_or_its_address(session: Session) -> None:
    first = cases.submit_case(session, raw_submission(email="teija@example.fi"))
    second = cases.submit_case(session, raw_submission(email="teija@example.fi"))
    token = signed_links.email_choices_token(SECRET, first.id, first.email)
    assert preferences.case_for_link(session, SECRET, token).id == first.id

    preferences.apply_link_choice(session, SECRET, token, "necessary", "case")
    assert preferences.case_choice(session, first.id) == "necessary"
    assert not preferences.employer_opted_out_for_case(session, second)

    preferences.apply_link_choice(session, SECRET, token, "necessary", "person")
    assert preferences.employer_opted_out(session, "teija@example.fi")
    assert preferences.employer_opted_out_for_case(session, second)
    # The person's choice replaced the case's own, so choosing "all" again restores both.
    preferences.apply_link_choice(session, SECRET, token, "all", "person")
    assert not preferences.employer_opted_out_for_case(session, first)
    assert not preferences.employer_opted_out_for_case(session, second)


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        signed_links.email_choices_token("another-secret", 1, "teija@example.fi"),
        # A survey token signs the same id under another purpose.
        signed_links.survey_token(SECRET, 1),
    ],
    # Named, not shown: the survey token holds a timestamp, and two pytest-xdist workers
    # must collect the same test ids.
    ids=["garbage", "another-secret", "survey-token"],
)
def test_a_forged_or_foreign_token_opens_nothing(session: Session, token: str) -> None:
    cases.submit_case(session, raw_submission())
    with pytest.raises(preferences.LinkNotValid):
        preferences.case_for_link(session, SECRET, token)


def test_a_link_for_another_address_of_the_case_opens_nothing(session: Session) -> None:
    case = cases.submit_case(session, raw_submission(email="teija@example.fi"))
    token = signed_links.email_choices_token(SECRET, case.id, "someone@example.fi")
    with pytest.raises(preferences.LinkNotValid):
        preferences.apply_link_choice(session, SECRET, token, "necessary", "person")
    assert not preferences.employer_opted_out(session, "someone@example.fi")
    assert not preferences.employer_opted_out(session, "teija@example.fi")


def test_bad_choices_and_scopes_are_refused(session: Session) -> None:
    case = cases.submit_case(session, raw_submission())
    token = signed_links.email_choices_token(SECRET, case.id, case.email)
    with pytest.raises(preferences.InvalidChoice) as caught:
        preferences.apply_link_choice(session, SECRET, token, "", "case")
    assert caught.value.errors == {"emails": "required"}
    with pytest.raises(preferences.InvalidChoice):
        preferences.apply_link_choice(session, SECRET, token, "all", "everyone")
    with pytest.raises(preferences.InvalidChoice):
        preferences.set_person_email_choice(session, case.email, "sometimes")


def test_one_click_leaves_the_case_the_necessary_emails(session: Session, make_user: Any) -> None:
    adviser = make_user()
    case = cases.submit_case(session, raw_submission())
    other = cases.submit_case(session, raw_submission())
    token = signed_links.email_choices_token(SECRET, case.id, case.email)
    preferences.one_click_unsubscribe(session, SECRET, token)
    for each in (case, other):
        cases.change_status(session, as_staff(adviser), each.id, "resolved")
        cases.change_status(session, as_staff(adviser), each.id, "closed")
    # Closing is optional: suppressed for the unsubscribed case, sent for the other.
    closed = delivery.plan(session, _last_row(session, "email.case_closed", case.id), CONFIG)
    assert isinstance(closed, delivery.Suppressed)
    sent = delivery.plan(session, _last_row(session, "email.case_closed", other.id), CONFIG)
    assert isinstance(sent, delivery.EmailPlan)
    # The resolution is necessary: still sent, with the survey link.
    resolved = delivery.plan(session, _last_row(session, "email.case_resolved", case.id), CONFIG)
    assert isinstance(resolved, delivery.EmailPlan)
    assert resolved.spec.context["survey_link"].startswith("http://desk.test/portal/survey/")


def test_the_portal_can_set_a_persons_choice(session: Session) -> None:
    case = cases.submit_case(session, raw_submission(email="teija@example.fi"))
    assert preferences.person_email_choice(session, "Teija@example.fi") == "all"
    preferences.set_person_email_choice(session, "teija@example.fi", "necessary")
    assert preferences.person_email_choice(session, "teija@example.fi") == "necessary"
    assert preferences.effective_choice(session, case) == "necessary"
    # A case's own choice wins over the person's.
    preferences.set_case_choice(session, case, "all")
    assert preferences.effective_choice(session, case) == "all"
