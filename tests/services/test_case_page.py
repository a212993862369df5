"""The staff case page as one service assembles it: the lead team may work, a collaborating
team may only read and note. On SQLite and PostgreSQL."""

from sqlalchemy.orm import Session

from desk.domain.case_status import CaseStatus, next_statuses
from desk.services import cases, collaboration
from desk.services.case_page import staff_case_page
from tests.conftest import raw_submission
from tests.support.actors import as_staff


def test_the_lead_team_sees_every_action(session: Session, make_user) -> None:
    adviser = make_user("ph@example.fi")
    case = cases.submit_case(session, raw_submission())

    page = staff_case_page(session, as_staff(adviser), case)

    assert page.case is case
    assert page.can_work and page.can_note
    assert page.next_statuses == next_statuses(CaseStatus(case.status))
    assert case.team.slug not in {team.slug for team in page.transfer_targets}
    assert page.transfer_targets and page.collaborator_candidates
    assert {t.target.value for t in page.sla_targets} == {"first_response", "resolution"}
    assert page.sent_notifications  # the employer's confirmation at least
    assert page.followers == [] and page.collaborators == []


def test_a_collaborating_team_notes_but_does_not_work(session: Session, make_user) -> None:
    lead = make_user("ph@example.fi")
    helper = make_user("lahti@example.fi", authority="lahti", teams=("lahti-employer-services",))
    case = cases.submit_case(session, raw_submission())
    collaboration.add_collaborator(session, as_staff(lead), case.id, "lahti-employer-services")

    page = staff_case_page(session, as_staff(helper), case)

    assert not page.can_work and page.can_note
    assert page.transfer_targets == [] and page.collaborator_candidates == []
    assert [c.team.slug for c in page.collaborators] == ["lahti-employer-services"]
