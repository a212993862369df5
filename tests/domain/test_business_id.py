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
