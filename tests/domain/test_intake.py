import pytest

from desk.domain.case_reference import format_reference, parse_reference
from desk.domain.intake import InvalidSubmission, validate_submission
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
