"""Control characters: refused in single-line fields of the request form (and so the API),
allowed as tab and line breaks in the description."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk.domain.intake import (
    SINGLE_LINE_FIELDS,
    InvalidSubmission,
    has_control_characters,
    validate_submission,
)
from tests.conftest import raw_submission

NEEDS = ["recruitment"]


@pytest.mark.parametrize(
    "character", ["\x00", "\x07", "\t", "\n", "\r", "\x1b", "\x7f", "\x85", "\x9f"]
)
@pytest.mark.parametrize(
    "field", ["organisation_name", "contact_name", "email", "phone", "municipality_other"]
)
def test_single_line_fields_refuse_every_control_character(field: str, character: str) -> None:
    changes = {field: f"Abc{character}def"}
    if field == "municipality_other":
        changes["municipality"] = "other"
    with pytest.raises(InvalidSubmission) as caught:
        validate_submission(raw_submission(**changes), NEEDS)
    assert caught.value.errors[field] == "control_characters"


def test_the_description_keeps_tabs_and_line_breaks_but_not_other_controls() -> None:
    ok = validate_submission(raw_submission(description="One\r\nTwo\tthree\n"), NEEDS)
    assert "Two\tthree" in ok.description
    with pytest.raises(InvalidSubmission) as caught:
        validate_submission(raw_submission(description="Bell\x07"), NEEDS)
    assert caught.value.errors == {"description": "control_characters"}


def test_every_single_line_field_is_a_field_of_the_form() -> None:
    assert "description" not in SINGLE_LINE_FIELDS


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc",))))
def test_text_without_control_characters_passes(text: str) -> None:
    assert not has_control_characters(text)
    assert not has_control_characters(text, multiline=True)


@given(st.characters(whitelist_categories=("Cc",)))
def test_every_control_character_is_caught_on_one_line(character: str) -> None:
    assert has_control_characters(f"a{character}b")
