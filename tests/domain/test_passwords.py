"""Staff password rules (issue 14)."""

import pytest

from desk.domain.passwords import password_problem


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short", "too_short"),
        ("x" * 11, "too_short"),
        ("Password1234", "too_common"),
        ("salasana2026", "too_common"),
        ("Lösenord 123", "too_common"),
        ("aaaaaaaaaaaaaaaa", "too_common"),
        ("x" * 201, "too_long"),
        ("correct horse battery", None),
        ("demo-desk-2026", None),
    ],
)
def test_password_rules(password: str, code: str | None) -> None:
    assert password_problem(password) == code
