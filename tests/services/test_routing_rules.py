"""Routing rules in the database: seeding, routing by the published set, editing a versioned
draft (validated on save), dry run and publishing. On SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from desk.domain.routing_rules import InvalidRuleInput, InvalidRuleSet, Problem, RawRule
from desk.models import Case, RoutingRuleSetVersion
from desk.services import cases, routing, routing_rules
from desk.services.errors import Conflict, Forbidden
from tests.conftest import ROUTING_FILE, raw_submission
from tests.support.actors import as_staff

LAHTI_RECRUITMENT = RawRule(
    id="lahti-recruitment",
    team="regional-intake",
    municipalities=("398",),
    needs=("recruitment",),
)


@pytest.fixture
def admin(make_user):
    return make_user("admin@example.fi", role="admin", authority="lahti", teams=())


def test_default_rules_are_seeded_once_as_published_version_1(session: Session) -> None:
    assert routing.seed_rules(session, ROUTING_FILE) is False  # the fixture seeded them
    version = routing.published_version(session)
    assert (version.number, version.action, version.created_by_id) == (1, "seeded", None)
    assert [rule["id"] for rule in version.rules] == [
        "international",
        "change-security-large",
        "outside-region",
        "lahti",
        "paijat-hame",
        "fallback",
    ]
    session.execute(delete(RoutingRuleSetVersion))
    session.commit()
    with pytest.raises(routing.RulesNotLoaded):
        routing.published_version(session)
    assert routing.seed_rules(session, ROUTING_FILE) is True
    assert routing.rules_in_force(session)[0] == 1


def test_an_invalid_rules_file_is_refused_at_seeding(session: Session, tmp_path) -> None:
    session.execute(delete(RoutingRuleSetVersion))
    session.commit()
    bad = tmp_path / "routing.toml"
    bad.write_text('[[rules]]\nid = "only"\nneeds = ["job-ad"]\nteam = "nowhere"\n')
    with pytest.raises(InvalidRuleSet) as info:
        routing.seed_rules(session, bad)
    assert info.value.problems == [
        Problem("unknown_team", "only", "nowhere"),
        Problem("missing_catch_all"),
    ]
    session.rollback()
    assert routing.seed_rules(session, ROUTING_FILE) is True


@pytest.mark.parametrize(
    ("text", "need", "affected", "team", "rule"),
    [
        ("Lahtis", "recruitment", None, "lahti-employer-services", "lahti"),
        (" itis ", "job-ad", None, "paijat-hame-employer-services", "paijat-hame"),
        ("Gustav Adolfs", "startup", None, "paijat-hame-employer-services", "paijat-hame"),
        ("Tampere", "recruitment", None, "regional-intake", "outside-region"),
        ("", "other", None, "regional-intake", "outside-region"),
        ("560", "international", None, "regional-international", "international"),
        ("398", "change-security", 25, "regional-change-security", "change-security-large"),
        ("398", "change-security", 9, "lahti-employer-services", "lahti"),
    ],
)
def test_route_request_uses_the_published_rules(session, text, need, affected, team, rule) -> None:
    routed = routing.route_request(
        session, municipality_text=text, need=need, affected_employees=affected, language="en"
    )
    assert (routed.decision.team, routed.decision.rule, routed.rule_version) == (team, rule, 1)


def test_adding_a_rule_makes_a_draft_that_routes_nothing_until_published(
    session: Session, admin
) -> None:
    # Below the Lahti rule it could never fire, so it goes above it.
    draft = routing_rules.add(session, as_staff(admin), 1, LAHTI_RECRUITMENT, before="lahti")
    assert (draft.number, draft.action, draft.rule_id) == (2, "added", "lahti-recruitment")
    assert draft.created_by_id == admin.id and draft.created_at is not None
    assert draft.published_at is None
    state = routing_rules.state(session)
    assert state.has_draft and state.changed_rule_ids == {"lahti-recruitment"}
    assert [r.id for r in state.rules][2:5] == ["outside-region", "lahti-recruitment", "lahti"]

    # Not in force yet.
    assert cases.submit_case(session, raw_submission(municipality="Lahti")).team.slug == (
        "lahti-employer-services"
    )
    # Moved up once more (it does not overlap the outside rule), then published.
    routing_rules.move(session, as_staff(admin), 2, "lahti-recruitment", "up")
    published = routing_rules.publish(session, as_staff(admin), 3)
    assert (published.number, published.published_by_id) == (3, admin.id)
    assert published.published_at is not None
    assert not routing_rules.state(session).has_draft

    case = cases.submit_case(session, raw_submission(municipality="Lahti"))
    assert (case.team.slug, case.routing_rule) == ("regional-intake", "lahti-recruitment")
    assert "the workplace is in" not in case.routing_reason  # Finnish: the case's language
    assert "Lahti (398)" in case.routing_reason and "rekrytointiapu" in case.routing_reason
    routed = next(e for e in case.events if e.kind == "routed")
    assert routed.data["rule_version"] == 3
    job_ad = cases.submit_case(session, raw_submission(municipality="Lahti", need="job-ad"))
    assert job_ad.team.slug == "lahti-employer-services"


def test_every_change_is_a_version_with_who_and_when(session: Session, admin) -> None:
    routing_rules.add(session, as_staff(admin), 1, LAHTI_RECRUITMENT, before="lahti")
    routing_rules.toggle(session, as_staff(admin), 2, "lahti-recruitment", False)
    routing_rules.toggle(session, as_staff(admin), 3, "lahti-recruitment", True)
    routing_rules.edit(
        session,
        as_staff(admin),
        4,
        "lahti-recruitment",
        RawRule(
            id="ignored",
            team="lahti-employer-services",
            needs=("job-ad",),
            municipalities=("398",),
            key_account="yes",
        ),
    )
    routing_rules.delete(session, as_staff(admin), 5, "lahti-recruitment")
    history = routing_rules.versions(session)
    assert [(v.number, v.action, v.rule_id) for v in history] == [
        (6, "deleted", "lahti-recruitment"),
        (5, "edited", "lahti-recruitment"),
        (4, "enabled", "lahti-recruitment"),
        (3, "disabled", "lahti-recruitment"),
        (2, "added", "lahti-recruitment"),
        (1, "seeded", ""),
    ]
    edited = routing_rules.version(session, 5).rules[3]
    assert edited == {
        "id": "lahti-recruitment",
        "team": "lahti-employer-services",
        "municipalities": ["398"],
        "needs": ["job-ad"],
        "key_account": True,
    }
    assert all(v.created_by_id == admin.id for v in history[:-1])
    # Back to the published rules: no draft to publish.
    assert not routing_rules.state(session).has_draft
    with pytest.raises(Conflict) as info:
        routing_rules.publish(session, as_staff(admin), 6)
    assert info.value.code == "no_draft"


@pytest.mark.parametrize(
    ("change", "problems"),
    [
        (
            lambda s, a: routing_rules.toggle(s, as_staff(a), 1, "fallback", False),
            [Problem("missing_catch_all")],
        ),
        (
            lambda s, a: routing_rules.move(s, as_staff(a), 1, "fallback", "up"),
            [Problem("unreachable", "paijat-hame", "fallback")],
        ),
        (
            lambda s, a: routing_rules.add(
                s, as_staff(a), 1, RawRule(id="everything", team="regional-intake")
            ),
            [Problem("unreachable", "fallback", "everything")],
        ),
        (
            lambda s, a: routing_rules.add(
                s, as_staff(a), 1, RawRule(id="x", team="no-such-team", needs=("job-ad",))
            ),
            [Problem("unknown_team", "x", "no-such-team")],
        ),
        (
            lambda s, a: routing_rules.edit(
                s, as_staff(a), 1, "lahti", RawRule(team="regional-intake")
            ),
            [
                Problem("unreachable", "paijat-hame", "lahti"),
                Problem("unreachable", "fallback", "lahti"),
            ],
        ),
    ],
)
def test_invalid_changes_are_refused_and_nothing_is_stored(
    session, admin, change, problems
) -> None:
    with pytest.raises(InvalidRuleSet) as info:
        change(session, admin)
    assert info.value.problems == problems
    session.rollback()
    assert [v.number for v in routing_rules.versions(session)] == [1]


def test_form_errors_and_stale_versions(session: Session, admin) -> None:
    with pytest.raises(InvalidRuleInput) as info:
        routing_rules.add(session, as_staff(admin), 1, RawRule(id="lahti", team="regional-intake"))
    assert info.value.errors == {"id": "duplicate"}
    with pytest.raises(InvalidRuleInput) as info:
        routing_rules.add(session, as_staff(admin), 1, RawRule(id="", team=""), before="nope")
    assert info.value.errors == {"id": "required", "team": "required", "before": "invalid"}
    routing_rules.add(session, as_staff(admin), 1, LAHTI_RECRUITMENT, before="lahti")
    with pytest.raises(Conflict) as conflict:  # someone else saved version 2 meanwhile
        routing_rules.move(session, as_staff(admin), 1, "lahti", "down")
    assert conflict.value.code == "stale_version"


def test_only_administrators_edit_rules(session: Session, make_user) -> None:
    adviser = make_user()
    with pytest.raises(Forbidden):
        routing_rules.add(session, as_staff(adviser), 1, LAHTI_RECRUITMENT)
    with pytest.raises(Forbidden):
        routing_rules.publish(session, as_staff(adviser), 1)


def test_discard_and_restore(session: Session, admin) -> None:
    routing_rules.add(session, as_staff(admin), 1, LAHTI_RECRUITMENT, before="lahti")
    discarded = routing_rules.discard(session, as_staff(admin), 2)
    assert discarded.action == "discarded" and not routing_rules.state(session).has_draft
    restored = routing_rules.restore(session, as_staff(admin), 3, 2)
    assert (restored.number, restored.action, restored.rule_id) == (4, "restored", "2")
    assert routing_rules.state(session).changed_rule_ids == {"lahti-recruitment"}


def test_dry_run_counts_the_cases_that_would_move_and_where(session: Session, admin) -> None:
    now = datetime.now(UTC)
    old = cases.submit_case(
        session, raw_submission(municipality="Lahti"), now=now - timedelta(days=40)
    )
    lahti = [cases.submit_case(session, raw_submission(municipality="398")) for _ in range(2)]
    cases.submit_case(session, raw_submission(municipality="398", need="job-ad"))
    cases.submit_case(session, raw_submission(municipality="Orimattila"))

    before = routing_rules.dry_run(session, 30, now=now + timedelta(seconds=1))
    assert (before.has_draft, before.outcome.total, before.outcome.moved) == (False, 4, 0)

    routing_rules.add(session, as_staff(admin), 1, LAHTI_RECRUITMENT, before="lahti")
    result = routing_rules.dry_run(session, 30, now=now + timedelta(seconds=1))
    assert (result.days, result.published_number, result.draft_number) == (30, 1, 2)
    assert (result.outcome.total, result.outcome.moved) == (4, 2)
    (move,) = result.outcome.moves
    assert (move.from_team, move.to_team, move.count) == (
        "lahti-employer-services",
        "regional-intake",
        2,
    )
    assert set(move.keys) == {case.reference for case in lahti}
    assert old.reference not in move.keys  # older than 30 days
    assert routing_rules.dry_run(session, 60, now=now).outcome.moved == 3
    # A dry run changes nothing.
    assert {c.team.slug for c in session.scalars(select(Case))} == {
        "lahti-employer-services",
        "paijat-hame-employer-services",
    }
    with pytest.raises(ValueError):
        routing_rules.dry_run(session, 0)
