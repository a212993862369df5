"""Rule sets as data: reading, validation (with problem codes), editing and the dry run."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk.domain.routing import RoutingRequest, Rule, route
from desk.domain.routing_rules import (
    InvalidRuleInput,
    InvalidRuleSet,
    Problem,
    RawRule,
    RuleFormatError,
    RuleNotFound,
    add_rule,
    check_rules,
    compare,
    covers,
    delete_rule,
    move_rule,
    parse_rule_input,
    rule_from_dict,
    rules_from_dicts,
    rules_to_dicts,
    set_enabled,
    validate_rules,
)
from desk.i18n import catalogue
from tests.domain.reference import DEFAULT_RULES, NINE, REFERENCE

CATCH_ALL = Rule("fallback", "regional-intake")


def test_the_default_rules_are_valid_and_survive_a_round_trip() -> None:
    assert validate_rules(DEFAULT_RULES, REFERENCE) == []
    assert rules_from_dicts(rules_to_dicts(DEFAULT_RULES)) == DEFAULT_RULES


@pytest.mark.parametrize(
    ("rules", "problems"),
    [
        (
            (Rule("a", "no-such-team"), CATCH_ALL),
            [Problem("unknown_team", "a", "no-such-team"), Problem("unreachable", "fallback", "a")],
        ),
        (
            (Rule("a", "lahti-employer-services", needs=frozenset({"job-ad"})),),
            [Problem("missing_catch_all")],
        ),
        (
            (CATCH_ALL, Rule("late", "lahti-employer-services")),
            [Problem("unreachable", "late", "fallback")],
        ),
        (
            (CATCH_ALL, Rule("late", "lahti-employer-services", needs=frozenset({"job-ad"}))),
            [Problem("unreachable", "late", "fallback")],
        ),
        # A disabled catch-all is no catch-all; a disabled rule behind one is harmless.
        ((Rule("fallback", "regional-intake", enabled=False),), [Problem("missing_catch_all")]),
        ((CATCH_ALL, Rule("later", "regional-intake", enabled=False)), []),
        (
            (Rule("x", "regional-intake", needs=frozenset({"astrology"})), CATCH_ALL),
            [Problem("unknown_need", "x", "astrology")],
        ),
        (
            (Rule("x", "regional-intake", municipalities=frozenset({"091"})), CATCH_ALL),
            [Problem("unknown_municipality", "x", "091")],
        ),
        (
            (Rule("x", "regional-intake", languages=frozenset({"de"})), CATCH_ALL),
            [Problem("unknown_language", "x", "de")],
        ),
        (
            (Rule("x", "regional-intake", min_affected=-1), CATCH_ALL),
            [Problem("invalid_affected", "x", "-1")],
        ),
        (
            (Rule("Bad Id", "regional-intake", needs=frozenset({"job-ad"})), CATCH_ALL),
            [Problem("invalid_id", "Bad Id")],
        ),
        (
            (
                Rule("x", "regional-intake", needs=frozenset({"job-ad"})),
                Rule("x", "regional-intake", needs=frozenset({"startup"})),
                CATCH_ALL,
            ),
            [Problem("duplicate_id", "x")],
        ),
        # A narrower rule below a broader one can never fire.
        (
            (
                Rule("all-lahti", "lahti-employer-services", municipalities=frozenset({"398"})),
                Rule(
                    "lahti-ads",
                    "regional-intake",
                    municipalities=frozenset({"398"}),
                    needs=frozenset({"job-ad"}),
                ),
                CATCH_ALL,
            ),
            [Problem("unreachable", "lahti-ads", "all-lahti")],
        ),
        (
            (
                Rule("big", "regional-change-security", min_affected=10),
                Rule("bigger", "regional-intake", min_affected=50),
                CATCH_ALL,
            ),
            [Problem("unreachable", "bigger", "big")],
        ),
    ],
)
def test_validation_names_each_problem(rules, problems) -> None:
    assert validate_rules(rules, REFERENCE) == problems
    if not problems:
        assert check_rules(rules, REFERENCE) == tuple(rules)
        return
    with pytest.raises(InvalidRuleSet) as info:
        check_rules(rules, REFERENCE)
    assert info.value.problems == problems


@pytest.mark.parametrize(
    ("earlier", "later", "expected"),
    [
        (Rule("a", "t"), Rule("b", "t", needs=frozenset({"x"})), True),
        (Rule("a", "t", needs=frozenset({"x"})), Rule("b", "t"), False),
        (Rule("a", "t", needs=frozenset({"x", "y"})), Rule("b", "t", needs=frozenset({"x"})), True),
        (Rule("a", "t", min_affected=10), Rule("b", "t", min_affected=5), False),
        (Rule("a", "t", key_account=True), Rule("b", "t", key_account=False), False),
        (Rule("a", "t", key_account=True), Rule("b", "t", key_account=True), True),
        (Rule("a", "t", outside_region=True), Rule("b", "t", outside_region=True), True),
        (
            Rule("a", "t", municipalities=frozenset({"398"})),
            Rule("b", "t", outside_region=True),
            False,
        ),
        (
            Rule("a", "t", municipalities=frozenset(NINE)),
            Rule("b", "t", municipalities=frozenset({"560"})),
            True,
        ),
        (Rule("a", "t", languages=frozenset({"sv"})), Rule("b", "t"), False),
        (
            Rule("a", "t", languages=frozenset({"sv", "fi"})),
            Rule("b", "t", languages=frozenset({"sv"})),
            True,
        ),
    ],
)
def test_covers(earlier: Rule, later: Rule, expected: bool) -> None:
    assert covers(earlier, later) is expected


def test_the_disjoint_default_rules_do_not_shadow_each_other() -> None:
    for i, earlier in enumerate(DEFAULT_RULES):
        for later in DEFAULT_RULES[i + 1 :]:
            assert not covers(earlier, later), (earlier.id, later.id)


def test_reading_a_malformed_rule_says_what_is_wrong() -> None:
    with pytest.raises(RuleFormatError, match="string id"):
        rule_from_dict({"team": "x"})
    with pytest.raises(RuleFormatError, match="unknown keys"):
        rule_from_dict({"id": "x", "team": "y", "colour": "red"})
    with pytest.raises(RuleFormatError, match="min_affected"):
        rule_from_dict({"id": "x", "team": "y", "min_affected": "10"})
    with pytest.raises(RuleFormatError, match="key_account"):
        rule_from_dict({"id": "x", "team": "y", "key_account": "yes"})
    with pytest.raises(RuleFormatError, match="needs"):
        rule_from_dict({"id": "x", "team": "y", "needs": "job-ad"})


def test_new_rules_go_above_the_catch_all() -> None:
    new = Rule("ads", "regional-intake", needs=frozenset({"job-ad"}))
    added = add_rule(DEFAULT_RULES, new)
    assert [r.id for r in added][-2:] == ["ads", "fallback"]
    assert add_rule((), new) == (new,)
    assert [r.id for r in add_rule(DEFAULT_RULES, new, before="lahti")][3:5] == ["ads", "lahti"]
    with pytest.raises(RuleNotFound):
        add_rule(DEFAULT_RULES, new, before="nope")


def test_move_toggle_delete() -> None:
    ids = lambda rules: [r.id for r in rules]  # noqa: E731
    assert ids(move_rule(DEFAULT_RULES, "lahti", -1))[2:4] == ["lahti", "outside-region"]
    assert ids(move_rule(DEFAULT_RULES, "international", -1)) == ids(DEFAULT_RULES)
    assert ids(move_rule(DEFAULT_RULES, "fallback", 1)) == ids(DEFAULT_RULES)
    off = set_enabled(DEFAULT_RULES, "lahti", False)
    assert not off[3].enabled and off[3].municipalities == frozenset({"398"})
    assert "lahti" not in ids(delete_rule(DEFAULT_RULES, "lahti"))
    with pytest.raises(RuleNotFound):
        delete_rule(DEFAULT_RULES, "nope")
    # Moving the catch-all up makes the rule it jumps over unreachable.
    assert validate_rules(move_rule(DEFAULT_RULES, "fallback", -1), REFERENCE) == [
        Problem("unreachable", "paijat-hame", "fallback")
    ]
    assert validate_rules(set_enabled(DEFAULT_RULES, "fallback", False), REFERENCE) == [
        Problem("missing_catch_all")
    ]


def test_the_rule_form() -> None:
    rule = parse_rule_input(
        RawRule(
            id=" Lahti-Ads ",
            team="regional-intake",
            municipalities=("398", "outside", ""),
            needs=("job-ad",),
            min_affected=" 5 ",
            key_account="no",
            languages=("sv",),
        )
    )
    assert rule == Rule(
        "lahti-ads",
        "regional-intake",
        municipalities=frozenset({"398"}),
        outside_region=True,
        needs=frozenset({"job-ad"}),
        min_affected=5,
        key_account=False,
        languages=frozenset({"sv"}),
    )
    with pytest.raises(InvalidRuleInput) as info:
        parse_rule_input(RawRule(id="-x-", min_affected="ten", key_account="maybe"))
    assert info.value.errors == {
        "id": "invalid",
        "team": "required",
        "min_affected": "invalid",
        "key_account": "invalid",
    }
    with pytest.raises(InvalidRuleInput) as info:
        parse_rule_input(RawRule(team="regional-intake"))
    assert info.value.errors == {"id": "required"}


def test_compare_counts_moves_and_where() -> None:
    draft = add_rule(
        DEFAULT_RULES,
        Rule(
            "lahti-recruits",
            "regional-intake",
            municipalities=frozenset({"398"}),
            needs=frozenset({"recruitment"}),
        ),
    )
    draft = move_rule(draft, "lahti-recruits", -3)
    assert validate_rules(draft, REFERENCE) == []
    requests = [
        ("A", RoutingRequest("recruitment", "398")),
        ("B", RoutingRequest("recruitment", "398")),
        ("C", RoutingRequest("job-ad", "398")),
        ("D", RoutingRequest("recruitment", "560")),
    ]
    outcome = compare(requests, DEFAULT_RULES, draft)
    assert (outcome.total, outcome.moved) == (4, 2)
    (move,) = outcome.moves
    assert (move.from_team, move.to_team, move.count, move.keys) == (
        "lahti-employer-services",
        "regional-intake",
        2,
        ("A", "B"),
    )
    assert compare(requests, DEFAULT_RULES, DEFAULT_RULES).moved == 0


_TEAMS = sorted(REFERENCE.teams)
_rules = st.builds(
    Rule,
    id=st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True),
    team=st.sampled_from(_TEAMS),
    municipalities=st.frozensets(st.sampled_from(sorted(REFERENCE.municipalities)), max_size=3),
    outside_region=st.booleans(),
    needs=st.frozensets(st.sampled_from(sorted(REFERENCE.needs)), max_size=3),
    min_affected=st.one_of(st.none(), st.integers(0, 50)),
    key_account=st.one_of(st.none(), st.booleans()),
    languages=st.frozensets(st.sampled_from(["fi", "sv", "en"]), max_size=2),
    enabled=st.booleans(),
)


@given(
    rules=st.lists(_rules, max_size=8),
    catch_all_team=st.sampled_from(_TEAMS),
    need=st.sampled_from(sorted(REFERENCE.needs)),
    code=st.one_of(st.none(), st.sampled_from(sorted(REFERENCE.municipalities))),
    affected=st.one_of(st.none(), st.integers(0, 100)),
    key_account=st.booleans(),
    language=st.sampled_from(["fi", "sv", "en"]),
)
def test_any_rule_set_that_validates_routes_every_request_to_one_existing_team(
    rules, catch_all_team, need, code, affected, key_account, language
) -> None:
    rule_set = (*rules, Rule("zz-catch-all", catch_all_team))
    if validate_rules(rule_set, REFERENCE):
        return
    request = RoutingRequest(need, code, "", affected, key_account, language)
    decision = route(request, rule_set, REFERENCE, catalogue)
    assert decision.team in REFERENCE.teams
    fired = [rule for rule in rule_set if rule.matches(request)]
    assert fired[0].id == decision.rule and fired[0].team == decision.team
    assert decision.reason
