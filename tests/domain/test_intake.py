import pytest

from desk.domain.case_reference import format_reference, parse_reference
from desk.domain.intake import (
    InvalidSubmission,
    RawWorkplace,
    is_blank,
    message_error,
    validate_submission,
    without_control_characters,
)
from tests.conftest import raw_submission
from tests.domain.reference import REFERENCE

NEEDS = REFERENCE.needs.keys()


def test_a_valid_request_is_normalised() -> None:
    clean = validate_submission(
        raw_submission(
            business_id=" 01120389 ", email=" Teija@Example.FI ", affected_employees="12"
        ),
        NEEDS,
    )
    assert clean.business_id == "0112038-9"
    assert clean.email == "Teija@example.fi"
    assert clean.affected_employees == 12
    assert clean.municipality_text == "560"


def test_every_bad_field_is_named_at_once() -> None:
    with pytest.raises(InvalidSubmission) as info:
        validate_submission(
            raw_submission(
                business_id="1234567-2",
                organisation_name=" ",
                contact_name="",
                email="not-an-email",
                phone="call me",
                municipality="",
                need="astrology",
                affected_employees="-3",
                description="",
                language="de",
            ),
            NEEDS,
        )
    assert info.value.errors == {
        "business_id": "checksum",
        "organisation_name": "required",
        "contact_name": "required",
        "email": "invalid",
        "phone": "invalid",
        "municipality": "required",
        "need": "unknown",
        "affected_employees": "invalid",
        "description": "required",
        "language": "invalid",
    }


def test_other_municipality_needs_its_name() -> None:
    with pytest.raises(InvalidSubmission) as info:
        validate_submission(raw_submission(municipality="other", municipality_other=""), NEEDS)
    assert info.value.errors == {"municipality_other": "required"}
    clean = validate_submission(
        raw_submission(municipality="other", municipality_other="Tampere"), NEEDS
    )
    assert clean.municipality_text == "Tampere"


def test_unknown_municipality_text_is_not_an_error() -> None:
    assert (
        validate_submission(raw_submission(municipality="Kuopio"), NEEDS).municipality_text
        == "Kuopio"
    )


def test_too_long_description_is_refused() -> None:
    with pytest.raises(InvalidSubmission) as info:
        validate_submission(raw_submission(description="x" * 5001), NEEDS)
    assert info.value.errors == {"description": "too_long"}


def test_phone_is_optional() -> None:
    assert validate_submission(raw_submission(phone=""), NEEDS).phone == ""


def test_references_are_year_scoped_and_zero_padded() -> None:
    assert format_reference(2026, 42) == "TP-2026-000042"
    assert parse_reference("tp-2026-000042") == (2026, 42)
    assert parse_reference("TP-26-42") is None
    with pytest.raises(ValueError):
        format_reference(2026, 0)


# --- characters that cannot be stored or that disguise text (both doors: form and API) --------


@pytest.mark.parametrize(
    ("changes", "workplaces", "field"),
    [
        ({"workplace_address": "Tehdas\x00katu 1"}, (), "workplace_address"),
        ({}, (RawWorkplace("Hollola\x00", ""),), "workplace_2_municipality"),
        ({}, (RawWorkplace("Hollola", "Asema\x00tie"),), "workplace_2_address"),
        ({"description": "Nul\x00 here"}, (), "description"),
    ],
)
def test_nul_is_refused_in_every_text_field(
    changes: dict[str, str], workplaces: tuple[RawWorkplace, ...], field: str
) -> None:
    with pytest.raises(InvalidSubmission) as info:
        validate_submission(raw_submission(**changes), NEEDS, workplaces)
    assert info.value.errors == {field: "control_characters"}


@pytest.mark.parametrize("character", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e"])
@pytest.mark.parametrize("field", ["organisation_name", "contact_name", "workplace_address"])
def test_direction_overrides_are_refused_on_one_line(field: str, character: str) -> None:
    with pytest.raises(InvalidSubmission) as info:
        validate_submission(raw_submission(**{field: f"Puu{character}yO"}), NEEDS)
    assert info.value.errors == {field: "direction_characters"}


@pytest.mark.parametrize("character", ["\u2066", "\u2067", "\u2068", "\u2069"])
def test_direction_isolates_are_refused_on_one_line_but_not_in_the_description(
    character: str,
) -> None:
    with pytest.raises(InvalidSubmission) as info:
        validate_submission(raw_submission(contact_name=f"Aino{character}"), NEEDS)
    assert info.value.errors == {"contact_name": "direction_characters"}
    kept = validate_submission(raw_submission(description=f"See {character}x{character}"), NEEDS)
    assert character in kept.description


def test_a_name_of_only_invisible_characters_is_empty() -> None:
    invisible = "\u200b\u200c \u200d\u2060\ufeff\u00a0"
    with pytest.raises(InvalidSubmission) as info:
        validate_submission(
            raw_submission(
                organisation_name=invisible, contact_name="\u200b", description="\ufeff"
            ),
            NEEDS,
        )
    assert info.value.errors == {
        "organisation_name": "required",
        "contact_name": "required",
        "description": "required",
    }
    assert is_blank(" \u2060\t") and not is_blank("\u200bA")
    # A visible name with a joiner inside it (as some scripts need) is kept.
    assert validate_submission(raw_submission(contact_name="Ai\u200dno"), NEEDS).contact_name


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("Hello", None),
        ("Line one\r\n\tLine two", None),
        ("Right \u202e to left", None),  # a multi-line message may hold them
        ("Nul\x00", "control_characters"),
        ("Bell\x07", "control_characters"),
        (" \u200b\ufeff ", "required"),
        ("", "required"),
        ("x" * 21, "too_long"),
    ],
)
def test_a_message_is_checked_by_the_same_rules(body: str, code: str | None) -> None:
    assert message_error(body, 20) == code


def test_text_nobody_can_correct_loses_its_control_characters() -> None:
    assert without_control_characters("a\x00b\r\nc\x07") == "ab\r\nc"
    assert without_control_characters("a\tb\nc", multiline=False) == "abc"
