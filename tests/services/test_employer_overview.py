"""The employer's whole picture: the cases of one Business ID that the adviser may open, in
both authorities, the key-account adviser, contact persons and counts; the access matrix and
bounded pages. On SQLite and PostgreSQL."""

import pytest

from desk.domain.business_id import InvalidBusinessId
from desk.models import Case
from desk.services import cases, collaboration, employer_overview, key_accounts
from desk.services.access import Actor, Channel, can_view
from desk.services.errors import Forbidden
from tests.conftest import raw_submission
from tests.support.actors import as_staff

BID = "0112038-9"
LAHTI = "lahti-employer-services"


def overview(session, user, business_id=BID, **kwargs):
    return employer_overview.employer_overview(session, as_staff(user), business_id, **kwargs)


def test_access_matrix_and_counts(session, make_user) -> None:
    admin = make_user("a@example.fi", role="admin", teams=())
    key_adviser = make_user("k@example.fi", authority="lahti", teams=())
    key_accounts.name_key_account(session, as_staff(admin), BID, key_adviser.id)
    ph_case = cases.submit_case(session, raw_submission(contact_name="Pekka Pomo"))
    lahti_case = cases.submit_case(session, raw_submission(municipality="398"))
    regional_case = cases.submit_case(
        session, raw_submission(municipality="398", need="international")
    )
    other_employer = cases.submit_case(session, raw_submission(business_id="2428545-0"))
    lahti = make_user("l@example.fi", authority="lahti", teams=(LAHTI,))
    ph = make_user("p@example.fi")
    regional = make_user("r@example.fi", teams=("regional-international",))
    manager = make_user("m@example.fi", role="manager", authority="lahti", teams=())
    nobody = make_user("n@example.fi", teams=())
    cases.claim(session, as_staff(ph), ph_case.id)
    cases.change_status(session, as_staff(ph), ph_case.id, "resolved")
    collaboration.add_collaborator(session, as_staff(ph), ph_case.id, LAHTI)
    session.expire_all()
    mine = (ph_case, lahti_case, regional_case)
    for user in (admin, key_adviser, lahti, ph, regional, manager, nobody):
        seen = overview(session, user)
        expected = {c.id for c in mine if can_view(as_staff(user), session.get(Case, c.id))}
        assert {c.id for c in seen.cases} == expected, user.email
        assert other_employer.id not in {c.id for c in seen.cases}
        assert seen.open_count + seen.closed_count == len(expected)
        assert seen.key_account is not None and seen.key_account.adviser_id == key_adviser.id
    assert {c.id for c in overview(session, nobody).cases} == set()
    assert overview(session, nobody).contacts == []
    everything = overview(session, admin)
    assert (everything.open_count, everything.closed_count) == (2, 1)
    assert {row.authority.slug: (row.open, row.closed) for row in everything.counts} == {
        "lahti": (2, 0),
        "paijat-hame": (0, 1),
    }
    # Newest first; contacts distinct, the latest first.
    assert [c.id for c in everything.cases] == [regional_case.id, lahti_case.id, ph_case.id]
    assert [c.name for c in everything.contacts] == ["Teija Työnantaja", "Pekka Pomo"]
    assert everything.organisation_names == ["Orimattilan Metalli Oy"]
    # The key-account adviser follows the case of the other authority's team.
    assert ph_case.id in {c.id for c in overview(session, key_adviser).cases}
    # Lahti's adviser sees the collaborated PH case and their own; not the regional one.
    assert {c.id for c in overview(session, lahti).cases} == {ph_case.id, lahti_case.id}


def test_pages_of_cases_newest_first(session, make_user) -> None:
    adviser = make_user()
    made = [cases.submit_case(session, raw_submission()) for _ in range(5)]
    seen, before = [], None
    while True:
        page = overview(session, adviser, before=before, limit=2)
        seen += [c.id for c in page.cases]
        if page.next_before is None:
            break
        before = page.next_before
    assert seen == sorted((c.id for c in made), reverse=True)


def test_business_id_is_normalised_or_refused(session, make_user) -> None:
    adviser = make_user()
    case = cases.submit_case(session, raw_submission())
    assert [c.id for c in overview(session, adviser, " 01120389 ").cases] == [case.id]
    for bad in ("", "0112038-8", "nonsense"):
        with pytest.raises(InvalidBusinessId):
            overview(session, adviser, bad)
    with pytest.raises(Forbidden):
        employer_overview.employer_overview(session, Actor.employer(Channel.WEB), BID)
