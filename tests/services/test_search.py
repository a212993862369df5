"""Search: finds a case by a word of its messages, its reference, Business ID and contact
name, says why it matched, pages without repeats, and never finds a case the adviser may not
open (own team, other authority, regional, follower, collaborator, manager, admin). On
SQLite and PostgreSQL."""

import pytest
from sqlalchemy.orm import Session

from desk.db import is_postgresql
from desk.domain.search_query import QueryTooLong
from desk.models import Case, CaseFollower, CaseMessage
from desk.services import cases, collaboration, search
from desk.services.access import can_view
from desk.services.errors import Forbidden
from desk.services.search import After
from tests.conftest import raw_submission
from tests.support.actors import as_staff

LAHTI = "lahti-employer-services"


def refs(session, user, text, **kwargs) -> list[str]:
    return [
        hit.case.reference for hit in search.search(session, as_staff(user), text, **kwargs).hits
    ]


def fields(hit) -> set[str]:
    return {match.field for match in hit.matches}


def test_finds_a_case_by_a_word_of_its_message_and_says_why(session, make_user) -> None:
    adviser = make_user()
    case = cases.submit_case(session, raw_submission())
    other = cases.submit_case(session, raw_submission(description="Palkkatuki"))
    cases.reply(session, as_staff(adviser), case.id, "Lähetimme teille trukinkuljettajien listan.")
    result = search.search(session, as_staff(adviser), "trukinkuljettajien")
    assert [hit.case.id for hit in result.hits] == [case.id]
    (match,) = result.hits[0].matches
    assert match.field == "message"
    assert ("trukinkuljettajien", True) in match.snippet
    assert other.reference not in refs(session, adviser, "trukinkuljettajien")


def test_finds_by_reference_business_id_contact_and_organisation(session, make_user) -> None:
    adviser = make_user()
    case = cases.submit_case(session, raw_submission(contact_name="Saara Virtanen"))
    other = cases.submit_case(
        session, raw_submission(business_id="2428545-0", organisation_name="Nastolan Puu Oy")
    )
    assert refs(session, adviser, case.reference) == [case.reference]
    assert refs(session, adviser, case.reference.lower()) == [case.reference]
    hit = search.search(session, as_staff(adviser), case.reference).hits[0]
    assert fields(hit) == {"reference"}
    assert refs(session, adviser, "2428545-0") == [other.reference]
    assert fields(search.search(session, as_staff(adviser), "2428545-0").hits[0]) == {"business_id"}
    assert refs(session, adviser, "Virtanen") == [case.reference]
    assert fields(search.search(session, as_staff(adviser), "virtanen").hits[0]) == {"contact"}
    assert refs(session, adviser, "nastolan") == [other.reference]
    assert set(refs(session, adviser, "welders")) == {case.reference, other.reference}
    # Every word must match; a phrase must match as typed.
    assert refs(session, adviser, "welders Nastolan") == [other.reference]
    assert set(refs(session, adviser, '"three welders"')) == {case.reference, other.reference}
    assert refs(session, adviser, '"welders three"') == []


def test_internal_notes_are_found_by_whoever_may_open_the_case(session, make_user) -> None:
    adviser = make_user()
    case = cases.submit_case(session, raw_submission())
    cases.add_note(session, as_staff(adviser), case.id, "Soitin Teijalle, lupasi palata asiaan.")
    (hit,) = search.search(session, as_staff(adviser), "lupasi").hits
    assert fields(hit) == {"note"}


def test_finnish_inflections_are_found(session, make_user) -> None:
    adviser = make_user()
    case = cases.submit_case(
        session, raw_submission(description="Tarvitsemme apua rekrytoinnin suunnitteluun.")
    )
    assert refs(session, adviser, "rekrytointi") == [case.reference]
    if is_postgresql(session):  # the finnish stemmer: hitsaajia and hitsaaja share a stem
        cases.reply(session, as_staff(adviser), case.id, "Etsimme hitsaajia.")
        assert refs(session, adviser, "hitsaaja") == [case.reference]


def test_access_matrix(session, make_user) -> None:
    ph_case = cases.submit_case(session, raw_submission(description="Yhteinen sana sorvari"))
    lahti_case = cases.submit_case(
        session, raw_submission(municipality="398", description="Yhteinen sana sorvari")
    )
    regional_case = cases.submit_case(
        session,
        raw_submission(
            municipality="398", need="international", description="Yhteinen sana sorvari"
        ),
    )
    lahti = make_user("l@example.fi", authority="lahti", teams=(LAHTI,))
    ph = make_user("p@example.fi")
    regional = make_user("r@example.fi", teams=("regional-international",))
    follower = make_user("f@example.fi", teams=())
    collaborator = make_user("c@example.fi", authority="lahti", teams=(LAHTI,))
    manager = make_user("m@example.fi", role="manager", authority="lahti", teams=())
    admin = make_user("a@example.fi", role="admin", teams=())
    nobody = make_user("n@example.fi", teams=())
    session.add(CaseFollower(case_id=ph_case.id, user_id=follower.id, reason="key_account"))
    session.commit()
    every = {ph_case.reference, lahti_case.reference, regional_case.reference}
    before_collaboration = {
        ph: {ph_case.reference},
        lahti: {lahti_case.reference},
        regional: {regional_case.reference},
        follower: {ph_case.reference},
        nobody: set(),
        admin: every,
    }
    for user, expected in before_collaboration.items():
        assert set(refs(session, user, "sorvari")) == expected, user.email
        assert set(refs(session, user, ph_case.reference)) == expected & {ph_case.reference}
    collaboration.add_collaborator(session, as_staff(ph), ph_case.id, LAHTI)
    session.expire_all()
    assert set(refs(session, collaborator, "sorvari")) == {ph_case.reference, lahti_case.reference}
    # Every finding agrees with the case page's rule.
    for user in (ph, lahti, regional, follower, collaborator, manager, admin, nobody):
        for ref in refs(session, user, "sorvari"):
            case = session.query(Case).filter_by(reference=ref).one()
            assert can_view(as_staff(user), case)
        found = set(refs(session, user, "sorvari"))
        expected = {
            c.reference
            for c in (ph_case, lahti_case, regional_case)
            if can_view(as_staff(user), session.get(Case, c.id))
        }
        assert found == expected, user.email


def test_pages_follow_rank_without_repeats(session, make_user) -> None:
    adviser = make_user()
    made = [
        cases.submit_case(session, raw_submission(description="hitsari " * (n % 3 + 1)))
        for n in range(7)
    ]
    seen: list[str] = []
    after: After | None = None
    while True:
        page = search.search(session, as_staff(adviser), "hitsari", after=after, limit=3)
        seen += [hit.case.reference for hit in page.hits]
        if page.next_after is None:
            break
        after = page.next_after
    assert sorted(seen) == sorted(c.reference for c in made) and len(seen) == 7


def test_index_follows_changes_and_deletes(session, make_user) -> None:
    adviser = make_user()
    case = cases.submit_case(session, raw_submission())
    message = CaseMessage(case_id=case.id, author_kind="employer", visibility="public", body="lumi")
    session.add(message)
    session.commit()
    assert refs(session, adviser, "lumi") == [case.reference]
    message.body = "jää"
    case.organisation_name = "Vesijärven Vene Oy"
    session.commit()
    assert refs(session, adviser, "lumi") == []
    assert refs(session, adviser, "jää") == [case.reference]
    assert refs(session, adviser, "vesijärven") == [case.reference]
    session.delete(message)
    session.commit()
    assert refs(session, adviser, "jää") == []


def test_empty_too_long_and_odd_queries(session, make_user) -> None:
    adviser = make_user()
    cases.submit_case(session, raw_submission())
    assert search.search(session, as_staff(adviser), "   ").hits == []
    assert search.search(session, as_staff(adviser), '"" * ( ) : - AND OR NOT ^').hits == []
    assert search.search(session, as_staff(adviser), 'welders"*').hits
    with pytest.raises(QueryTooLong):
        search.search(session, as_staff(adviser), "x" * 201)


def test_only_staff_search(session: Session) -> None:
    from desk.services.access import Actor

    with pytest.raises(Forbidden):
        search.search(session, Actor.employer(channel=as_staff.__defaults__[0]), "x")


def test_imported_cases_are_indexed(session, make_user) -> None:
    from desk.services.history_import import import_cases
    from tests.domain.test_history import example
    from tests.services.test_history_import import lines

    adviser = make_user()
    result = import_cases(session, lines(example(description="Tarvitsemme kaksi levyseppää.")))
    assert result.imported == 1
    (hit,) = search.search(session, as_staff(adviser), "levyseppää").hits
    assert hit.case.external_id == "URA-00017"
    assert refs(session, adviser, "Konepaja") == [hit.case.reference]
