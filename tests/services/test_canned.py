"""Canned responses: who keeps them, the check at save, rendering in the case's language with
the Finnish fallback. On SQLite and PostgreSQL."""

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from desk.services import canned, cases
from desk.services.canned import InvalidCanned
from desk.services.errors import Forbidden, NotFound
from tests.conftest import raw_submission
from tests.support.actors import as_staff

SENT = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)  # Monday 09:30 in Helsinki
TEAM = "paijat-hame-employer-services"
VALUES = {
    "title_fi": "Kiitos yhteydenotosta",
    "body_fi": "Hei {contact_name}, asianne {reference} on työn alla. T. {adviser_name}",
    "title_sv": "Tack",
    "body_sv": "Hej {contact_name} på {employer_name}! Vi svarar senast {expected_first_response}.",
}


@pytest.fixture
def manager(make_user):
    return make_user("manager@example.fi", role="manager", teams=())


@pytest.fixture
def adviser(make_user):
    return make_user("ph@example.fi")


def test_managers_of_the_host_authority_and_admins_keep_them(
    session: Session, manager, adviser, make_user
) -> None:
    row = canned.save(session, as_staff(manager), TEAM, VALUES)
    assert row.updated_by_id == manager.id and row.active
    other_manager = make_user("lm@example.fi", role="manager", authority="lahti", teams=())
    admin = make_user("admin@example.fi", role="admin", authority="lahti", teams=())
    for outsider in (adviser, other_manager):
        with pytest.raises(Forbidden):
            canned.team_responses(session, as_staff(outsider), TEAM)
        with pytest.raises(Forbidden):
            canned.save(session, as_staff(outsider), TEAM, VALUES, row.id)
    team, rows = canned.team_responses(session, as_staff(admin), TEAM)
    assert team.slug == TEAM and [r.id for r in rows] == [row.id]
    with pytest.raises(NotFound):
        canned.team_responses(session, as_staff(admin), "no-such-team")
    with pytest.raises(NotFound):  # another team's response is not this team's
        canned.get_for_keeping(session, as_staff(admin), "lahti-employer-services", row.id)


def test_unknown_placeholders_and_missing_finnish_are_refused(session: Session, manager) -> None:
    with pytest.raises(InvalidCanned) as bad:
        canned.save(session, as_staff(manager), TEAM, {**VALUES, "body_sv": "Hej {namn}"})
    assert bad.value.errors == {"body_sv": "unknown_placeholder"}
    assert bad.value.unknown == {"body_sv": ["namn"]}
    with pytest.raises(InvalidCanned) as empty:
        canned.save(session, as_staff(manager), TEAM, {"title_sv": "Tack", "body_sv": "Hej"})
    assert empty.value.errors == {"title_fi": "required", "body_fi": "required"}


def test_rendered_in_the_cases_language_with_finnish_fallback(
    session: Session, manager, adviser
) -> None:
    row = canned.save(session, as_staff(manager), TEAM, VALUES)
    swedish = cases.submit_case(session, raw_submission(language="sv"), now=SENT)
    english = cases.submit_case(session, raw_submission(language="en"), now=SENT)
    actor = as_staff(adviser)
    assert [r.id for r in canned.options_for_case(session, actor, swedish)] == [row.id]

    sv = canned.render_for_case(session, actor, swedish.id, row.id)
    assert (sv.language, sv.fell_back, sv.title) == ("sv", False, "Tack")
    # First response due one business day later: Tuesday 09:30 in Helsinki.
    assert sv.text == (
        "Hej Teija Työnantaja på Orimattilan Metalli Oy! Vi svarar senast 3.3.2026 kl. 9.30."
    )
    en = canned.render_for_case(session, actor, english.id, row.id)
    assert (en.language, en.fell_back) == ("fi", True)
    assert en.text == (
        f"Hei Teija Työnantaja, asianne {english.reference} on työn alla. T. {adviser.name}"
    )

    canned.set_active(session, as_staff(manager), TEAM, row.id, False)
    assert canned.options_for_case(session, actor, swedish) == []
    with pytest.raises(NotFound):
        canned.render_for_case(session, actor, swedish.id, row.id)


def test_only_the_cases_team_inserts(session: Session, manager, make_user) -> None:
    row = canned.save(session, as_staff(manager), TEAM, VALUES)
    case = cases.submit_case(session, raw_submission(), now=SENT)
    lahti = make_user("l@example.fi", authority="lahti", teams=("lahti-employer-services",))
    with pytest.raises(NotFound):
        canned.render_for_case(session, as_staff(lahti), case.id, row.id)
    with pytest.raises(Forbidden):  # the manager may view the case but not reply in it
        canned.render_for_case(session, as_staff(manager), case.id, row.id)
    assert canned.options_for_case(session, as_staff(manager), case) == []
