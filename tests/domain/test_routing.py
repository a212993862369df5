import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk.domain.municipalities import resolve_municipality
from desk.domain.routing import RoutingRequest, route
from tests.domain.reference import NINE, REFERENCE

NEEDS = sorted(REFERENCE.needs)
ORDINARY_NEEDS = [n for n in NEEDS if n not in ("international", "change-security")]


def decide(
    need: str, code: str | None, affected: int | None = None, language: str = "en", text: str = ""
):
    return route(RoutingRequest(need, code, text, affected), REFERENCE, language)


@pytest.mark.parametrize(
    ("need", "code", "affected", "team", "authority", "rule"),
    [
        ("international", "398", None, "regional-international", "lahti", "international"),
        ("international", "560", None, "regional-international", "lahti", "international"),
        ("international", None, None, "regional-international", "lahti", "international"),
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
        ("change-security", "398", 9, "lahti-employer-services", "lahti", "lahti"),
        (
            "change-security",
            "111",
            None,
            "paijat-hame-employer-services",
            "paijat-hame",
            "paijat-hame",
        ),
        ("change-security", None, 3, "regional-intake", "lahti", "outside-region"),
        ("recruitment", None, None, "regional-intake", "lahti", "outside-region"),
        ("recruitment", "398", None, "lahti-employer-services", "lahti", "lahti"),
        ("pay-subsidy", "560", None, "paijat-hame-employer-services", "paijat-hame", "paijat-hame"),
    ],
)
def test_default_rules_first_match_wins(need, code, affected, team, authority, rule) -> None:
    decision = decide(need, code, affected)
    assert (decision.team, decision.authority, decision.rule) == (team, authority, rule)


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
    assert "Orimattila (560)" in decide("recruitment", "560", language="fi").reason
    assert "Gustav Adolfs (081)" in decide("recruitment", "081", language="sv").reason
    assert "Hartola (081)" in decide("recruitment", "081", language="fi").reason


def test_reason_outside_the_region_tells_the_employer_they_will_be_referred() -> None:
    reason = decide("recruitment", None, language="en", text="Tampere").reason
    assert "Tampere" in reason and "refer" in reason
    assert "ei ilmoitettu" in decide("recruitment", None, language="fi").reason


def test_reason_for_large_change_security_names_the_count() -> None:
    assert "42 employees" in decide("change-security", "398", 42).reason


def test_unknown_need_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown need"):
        decide("astrology", "398")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("398", "398"),
        ("Lahti", "398"),
        ("lahtis", "398"),
        ("  LAHTI ", "398"),
        ("016", "016"),
        ("asikkala", "016"),
        ("Gustav Adolfs", "081"),
        ("hartola", "081"),
        ("Itis", "142"),
        ("iitti", "142"),
        ("Kärkölä", "316"),
        ("KÄRKÖLÄ", "316"),
        ("Sysmä", "781"),
        ("098", "098"),
        ("Hollola", "098"),
        ("Heinola", "111"),
        ("Orimattila", "560"),
        ("Padasjoki", "576"),
        ("Tampere", None),
        ("", None),
        ("  ", None),
        ("39", None),
        ("Helsingfors", None),
    ],
)
def test_municipality_spellings(text: str, code: str | None) -> None:
    assert resolve_municipality(text, REFERENCE.municipalities.values()) == code


@given(
    need=st.sampled_from(NEEDS),
    municipality=st.one_of(st.sampled_from(sorted(REFERENCE.municipalities)), st.text(max_size=20)),
    affected=st.one_of(st.none(), st.integers(min_value=0, max_value=100_000)),
    language=st.sampled_from(["fi", "sv", "en"]),
)
def test_every_request_routes_to_exactly_one_existing_team(
    need, municipality, affected, language
) -> None:
    code = resolve_municipality(municipality, REFERENCE.municipalities.values())
    decision = decide(need, code, affected, language, municipality)
    assert decision.team in REFERENCE.teams
    assert REFERENCE.teams[decision.team].authority == decision.authority
    assert decision.reason.strip()
