"""The routing engine with the default rules of config/routing.toml (docs/domain.md)."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk.domain.municipalities import resolve_municipality
from desk.domain.routing import NoRuleMatched, RoutingRequest, Rule, route, transfer_reason
from desk.i18n import catalogue
from tests.domain.reference import DEFAULT_RULES, NINE, REFERENCE

NEEDS = sorted(REFERENCE.needs)
ORDINARY_NEEDS = [n for n in NEEDS if n not in ("international", "change-security")]
LANGUAGES = ("fi", "sv", "en")


def decide(
    need: str,
    code: str | None,
    affected: int | None = None,
    language: str = "en",
    text: str = "",
    key_account: bool = False,
    rules=DEFAULT_RULES,
):
    request = RoutingRequest(need, code, text, affected, key_account, language)
    return route(request, rules, REFERENCE, catalogue)


def domain_md(need: str, code: str | None, affected: int | None) -> tuple[str, str]:
    """docs/domain.md's default routing, written out as the table the rules must reproduce."""
    if need == "international":
        return "international", "regional-international"
    if need == "change-security" and affected is not None and affected >= 10:
        return "change-security-large", "regional-change-security"
    if code is None:
        return "outside-region", "regional-intake"
    if code == "398":
        return "lahti", "lahti-employer-services"
    return "paijat-hame", "paijat-hame-employer-services"


def test_the_default_rules_are_those_of_domain_md_in_order() -> None:
    assert [(r.id, r.team) for r in DEFAULT_RULES] == [
        ("international", "regional-international"),
        ("change-security-large", "regional-change-security"),
        ("outside-region", "regional-intake"),
        ("lahti", "lahti-employer-services"),
        ("paijat-hame", "paijat-hame-employer-services"),
        ("fallback", "regional-intake"),
    ]
    assert DEFAULT_RULES[-1].is_catch_all
    assert DEFAULT_RULES[4].municipalities == frozenset(NINE)


@pytest.mark.parametrize(
    ("need", "code", "affected", "team", "authority", "rule"),
    [
        ("international", "398", None, "regional-international", "lahti", "international"),
        ("international", "560", None, "regional-international", "lahti", "international"),
        ("international", None, None, "regional-international", "lahti", "international"),
        ("international", "098", 50, "regional-international", "lahti", "international"),
        (
            "change-security",
            "098",
            10,
            "regional-change-security",
            "paijat-hame",
            "change-security-large",
        ),
        (
            "change-security",
            "398",
            250,
            "regional-change-security",
            "paijat-hame",
            "change-security-large",
        ),
        (
            "change-security",
            None,
            10,
            "regional-change-security",
            "paijat-hame",
            "change-security-large",
        ),
        ("change-security", "398", 9, "lahti-employer-services", "lahti", "lahti"),
        ("change-security", "398", 0, "lahti-employer-services", "lahti", "lahti"),
        (
            "change-security",
            "111",
            None,
            "paijat-hame-employer-services",
            "paijat-hame",
            "paijat-hame",
        ),
        ("change-security", None, 3, "regional-intake", "lahti", "outside-region"),
        ("recruitment", "398", 500, "lahti-employer-services", "lahti", "lahti"),
        ("recruitment", None, None, "regional-intake", "lahti", "outside-region"),
        ("recruitment", "398", None, "lahti-employer-services", "lahti", "lahti"),
        ("pay-subsidy", "560", None, "paijat-hame-employer-services", "paijat-hame", "paijat-hame"),
        # A code that is not one of the ten is "outside / unknown", never an error.
        ("recruitment", "091", None, "regional-intake", "lahti", "outside-region"),
    ],
)
def test_default_rules_first_match_wins(need, code, affected, team, authority, rule) -> None:
    decision = decide(need, code, affected)
    assert (decision.team, decision.authority, decision.rule) == (team, authority, rule)


@pytest.mark.parametrize("affected", [None, 0, 9, 10, 11, 1000])
@pytest.mark.parametrize("code", ["398", *NINE, None])
@pytest.mark.parametrize("need", NEEDS)
def test_every_need_from_every_place_lands_where_domain_md_says(need, code, affected) -> None:
    decision = decide(need, code, affected)
    assert (decision.rule, decision.team) == domain_md(need, code, affected)
    assert decision.authority == REFERENCE.teams[decision.team].authority


@pytest.mark.parametrize("need", ORDINARY_NEEDS)
@pytest.mark.parametrize("code", NINE)
def test_every_need_from_the_nine_goes_to_paijat_hame(need: str, code: str) -> None:
    decision = decide(need, code)
    assert decision.team == "paijat-hame-employer-services"
    assert decision.authority == "paijat-hame"


@pytest.mark.parametrize("need", ORDINARY_NEEDS)
def test_every_need_from_lahti_goes_to_lahti(need: str) -> None:
    assert decide(need, "398").team == "lahti-employer-services"


def test_reason_names_the_municipality_and_code_in_each_language() -> None:
    assert decide("recruitment", "560", language="en").reason == (
        "Routed to Päijät-Häme Employment Services, Päijät-Häme employer services, "
        "because the workplace is in Orimattila (560)."
    )
    assert decide("recruitment", "560", language="fi").reason == (
        "Ohjattu: Päijät-Hämeen työvoimapalvelut, Päijät-Hämeen työnantajapalvelut, "
        "koska työpaikan kunta on Orimattila (560)."
    )
    assert "Gustav Adolfs (081)" in decide("recruitment", "081", language="sv").reason
    assert "Hartola (081)" in decide("recruitment", "081", language="fi").reason
    assert "Lahtis (398)" in decide("recruitment", "398", language="sv").reason


@pytest.mark.parametrize(
    ("language", "need_words"),
    [
        ("fi", "kansainvälinen rekrytointi"),
        ("sv", "internationell rekrytering"),
        ("en", "international recruitment"),
    ],
)
def test_reason_for_a_need_rule_names_the_need(language, need_words) -> None:
    reason = decide("international", "398", language=language).reason
    assert need_words in reason
    assert REFERENCE.teams["regional-international"].names[language] in reason


def test_reason_outside_the_region_tells_the_employer_they_will_be_referred() -> None:
    reason = decide("recruitment", None, language="en", text="Tampere").reason
    assert "(Tampere)" in reason and "refer" in reason
    assert "ei ilmoitettu" in decide("recruitment", None, language="fi").reason
    assert "inte angiven" in decide("recruitment", None, language="sv").reason


def test_reason_for_large_change_security_names_the_need_and_the_count() -> None:
    reason = decide("change-security", "398", 42).reason
    assert "42 employees (10 or more)" in reason
    assert "lay-offs and change security" in reason
    assert "42 työntekijää" in decide("change-security", "398", 42, language="fi").reason


def test_reasons_for_key_account_language_and_catch_all_rules() -> None:
    rules = (
        Rule("vip", "lahti-employer-services", key_account=True, languages=frozenset({"sv"})),
        Rule("rest", "regional-intake"),
    )
    vip = decide("recruitment", "560", language="sv", key_account=True, rules=rules)
    assert vip.rule == "vip"
    assert "utsedd kundansvarig" in vip.reason and "svenska" in vip.reason
    rest = decide("job-ad", "560", language="en", rules=rules)
    assert rest.rule == "rest"
    assert "no more specific rule applied" in rest.reason
    assert "job ad" in rest.reason and "Orimattila (560)" in rest.reason


def test_unknown_need_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown need"):
        decide("astrology", "398")


def test_a_rule_set_without_catch_all_can_fail_to_match() -> None:
    with pytest.raises(NoRuleMatched):
        decide(
            "recruitment", "398", rules=(Rule("x", "regional-intake", needs=frozenset({"job-ad"})),)
        )


def test_disabled_rules_never_fire() -> None:
    rules = (Rule("off", "lahti-employer-services", enabled=False), Rule("on", "regional-intake"))
    assert decide("recruitment", "398", rules=rules).rule == "on"


@pytest.mark.parametrize(
    ("rule", "request_", "matches"),
    [
        (
            Rule("r", "t", min_affected=10),
            RoutingRequest("x", None, affected_employees=None),
            False,
        ),
        (Rule("r", "t", min_affected=10), RoutingRequest("x", None, affected_employees=10), True),
        (Rule("r", "t", key_account=True), RoutingRequest("x", None, has_key_account=False), False),
        (Rule("r", "t", key_account=False), RoutingRequest("x", None, has_key_account=False), True),
        (Rule("r", "t", outside_region=True), RoutingRequest("x", "398"), False),
        (
            Rule("r", "t", municipalities=frozenset({"398"}), outside_region=True),
            RoutingRequest("x", None),
            True,
        ),
        (Rule("r", "t", municipalities=frozenset({"398"})), RoutingRequest("x", None), False),
        (
            Rule("r", "t", languages=frozenset({"sv"})),
            RoutingRequest("x", None, language="fi"),
            False,
        ),
        (Rule("r", "t"), RoutingRequest("anything", None), True),
    ],
)
def test_each_condition(rule: Rule, request_: RoutingRequest, matches: bool) -> None:
    assert rule.matches(request_) is matches


def test_transfer_reason_in_each_language() -> None:
    assert transfer_reason(
        "lahti-employer-services", " Workplace is in Lahti ", REFERENCE, "en", catalogue
    ) == (
        "Transferred to Lahti Employment Services, Lahti employer services. "
        "Reason: Workplace is in Lahti"
    )
    assert transfer_reason("lahti-employer-services", "x", REFERENCE, "sv", catalogue).startswith(
        "Överfört till Lahtis sysselsättningstjänster"
    )
    assert transfer_reason("lahti-employer-services", "x", REFERENCE, "fi", catalogue).startswith(
        "Siirretty:"
    )


def _spellings() -> list[tuple[str, str]]:
    """Every municipality by code, Finnish and Swedish name, in any case, with spaces."""
    rows = []
    for m in REFERENCE.municipalities.values():
        for text in {m.code, m.name_fi, m.name_sv}:
            rows += [(text, m.code), (text.upper(), m.code), (text.lower(), m.code)]
            rows += [(f"  {text}\t", m.code), (text.swapcase(), m.code)]
    return sorted(set(rows))


@pytest.mark.parametrize(("text", "code"), _spellings())
def test_every_municipality_spelling(text: str, code: str) -> None:
    assert resolve_municipality(text, REFERENCE.municipalities.values()) == code
    expected_team = "lahti-employer-services" if code == "398" else "paijat-hame-employer-services"
    assert decide("recruitment", code, text=text).team == expected_team


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Lahtis", "398"),
        ("Gustav Adolfs", "081"),
        ("gustav adolfs", "081"),
        ("Itis", "142"),
        ("ITIS", "142"),
        ("Kärkölä", "316"),
        ("KÄRKÖLÄ", "316"),
        ("016", "016"),
        ("Tampere", None),
        ("Helsingfors", None),
        ("", None),
        ("  ", None),
        ("39", None),
        ("0398", None),
        ("Gustav  Adolfs", None),
        ("Lahti, Finland", None),
    ],
)
def test_municipality_spellings_and_the_unknown(text: str, code: str | None) -> None:
    assert resolve_municipality(text, REFERENCE.municipalities.values()) == code
    if code is None:
        assert decide("recruitment", None, text=text).team == "regional-intake"


@given(
    need=st.sampled_from(NEEDS),
    municipality=st.one_of(
        st.sampled_from(sorted(REFERENCE.municipalities)),
        st.sampled_from([m.name_sv for m in REFERENCE.municipalities.values()]),
        st.text(max_size=20),
    ),
    affected=st.one_of(st.none(), st.integers(min_value=0, max_value=100_000)),
    language=st.sampled_from(LANGUAGES),
    key_account=st.booleans(),
)
def test_every_request_routes_to_exactly_one_existing_team(
    need, municipality, affected, language, key_account
) -> None:
    code = resolve_municipality(municipality, REFERENCE.municipalities.values())
    decision = decide(need, code, affected, language, municipality, key_account)
    assert decision.team in REFERENCE.teams
    assert REFERENCE.teams[decision.team].authority == decision.authority
    assert decision.authority in ("lahti", "paijat-hame")
    matching = [
        rule
        for rule in DEFAULT_RULES
        if rule.matches(RoutingRequest(need, code, municipality, affected, key_account, language))
    ]
    assert matching and matching[0].id == decision.rule  # the first match, and only it, decides
    assert decision.reason.strip().endswith(".")


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_catalogue_translates_every_routing_message(language: str) -> None:
    from babel.support import Translations

    from desk.domain.routing import MESSAGES
    from desk.i18n import TRANSLATIONS_DIR

    translations = Translations.load(str(TRANSLATIONS_DIR), [language])
    for message in MESSAGES:
        translated = translations.gettext(message)
        assert translated != message, f"{language}: {message!r} is not translated"
        placeholders = sorted(re.findall(r"%\((\w+)\)s", message))
        assert sorted(re.findall(r"%\((\w+)\)s", translated)) == placeholders


def test_a_missing_compiled_catalogue_is_an_error_not_english(monkeypatch, tmp_path) -> None:
    import desk.i18n

    monkeypatch.setattr(desk.i18n, "TRANSLATIONS_DIR", tmp_path)
    desk.i18n.catalogue.cache_clear()
    desk.i18n._translations.cache_clear()
    try:
        with pytest.raises(desk.i18n.CatalogueMissing, match="make translations"):
            desk.i18n.catalogue("sv")
        assert desk.i18n.catalogue("en")("not given") == "not given"  # the source language
    finally:
        desk.i18n.catalogue.cache_clear()
        desk.i18n._translations.cache_clear()
