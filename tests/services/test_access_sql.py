"""The access rule as SQL (visible_cases_condition) finds exactly the cases can_view allows,
for every kind of staff member: own team, other authority, regional, follower, collaborator,
manager and admin. On SQLite and PostgreSQL."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk.models import Case, CaseFollower
from desk.services import cases, collaboration
from desk.services.access import can_view, visible_cases_condition
from tests.conftest import raw_submission
from tests.support.actors import as_staff


def test_sql_condition_matches_can_view(session: Session, make_user) -> None:
    submitted = [
        cases.submit_case(session, raw_submission(municipality=code, need=need))
        for code, need in [
            ("398", "recruitment"),  # Lahti
            ("098", "recruitment"),  # Hollola
            ("398", "international"),
            ("111", "recruitment"),  # Heinola
            ("837", "recruitment"),  # Tampere: outside, regional intake
        ]
    ]
    lahti_adviser = make_user("l@example.fi", authority="lahti", teams=("lahti-employer-services",))
    ph_adviser = make_user("p@example.fi")
    regional = make_user("r@example.fi", teams=("regional-international",))
    follower = make_user("f@example.fi", teams=())
    manager = make_user("m@example.fi", role="manager", authority="lahti", teams=())
    admin = make_user("a@example.fi", role="admin", teams=())
    nobody = make_user("n@example.fi", teams=())
    session.add(CaseFollower(case_id=submitted[1].id, user_id=follower.id, reason="key_account"))
    ph_case = next(c for c in submitted if c.team.slug == "paijat-hame-employer-services")
    LAHTI = "lahti-employer-services"
    collaboration.add_collaborator(session, as_staff(ph_adviser), ph_case.id, LAHTI)
    session.commit()
    for user in (lahti_adviser, ph_adviser, regional, follower, manager, admin, nobody):
        session.expire_all()
        actor = as_staff(user)
        found = set(session.scalars(select(Case.id).where(visible_cases_condition(actor))))
        expected = {c.id for c in session.scalars(select(Case)) if can_view(actor, c)}
        assert found == expected, user.email
    hidden = select(Case.id).where(visible_cases_condition(as_staff(nobody)))
    assert set(session.scalars(hidden)) == set()
