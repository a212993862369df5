import pytest

from desk.domain.business_id import InvalidBusinessId, is_valid_business_id, normalise_business_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0112038-9", "0112038-9"),  # Nokia Oyj
        (" 0112038-9 ", "0112038-9"),
        ("01120389", "0112038-9"),
        ("1572860-0", "1572860-0"),
    ],
)
def test_valid_business_ids_are_normalised(text: str, expected: str) -> None:
    assert normalise_business_id(text) == expected


@pytest.mark.parametrize(
    "text", ["", "   ", "0112038-8", "1234567-2", "abcdefg-h", "0112038", "01120389-9-9"]
)
def test_invalid_business_ids_are_refused(text: str) -> None:
    assert not is_valid_business_id(text)
    with pytest.raises(InvalidBusinessId):
        normalise_business_id(text)


@pytest.mark.parametrize(
    ("text", "code"), [("0112038-8", "checksum"), ("abc", "invalid"), ("123", "invalid")]
)
def test_a_wrong_check_digit_is_told_apart_from_a_wrong_format(text: str, code: str) -> None:
    with pytest.raises(InvalidBusinessId) as info:
        normalise_business_id(text)
    assert info.value.code == code
