"""Canned responses' placeholders, their check at save and the language chosen (no database)."""

from datetime import UTC, datetime

import pytest

from desk.domain.canned import (
    PLACEHOLDERS,
    CannedDraft,
    CaseFacts,
    choose_language,
    format_expected,
    placeholder_values,
    render,
    unknown_placeholders,
    validate_canned,
)


def draft(**fields: str) -> CannedDraft:
    return CannedDraft(
        titles={lang: fields.get(f"title_{lang}", "") for lang in ("fi", "sv", "en")},
        bodies={lang: fields.get(f"body_{lang}", "") for lang in ("fi", "sv", "en")},
    )


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("Hei {contact_name}, asianne {reference}.", []),
        ("{employer_name} {adviser_name} {expected_first_response} {expected_resolution}", []),
        ("Hello {Reference}", ["Reference"]),
        ("{ref} and {ref} and {}", ["ref", ""]),
        ("no braces at all", []),
    ],
)
def test_unknown_placeholders(text: str, unknown: list[str]) -> None:
    assert unknown_placeholders(text) == unknown


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"title_fi": "Kiitos", "body_fi": "Hei {contact_name}"}, {}),
        ({}, {"title_fi": "required", "body_fi": "required"}),
        ({"title_fi": "T", "body_fi": "B", "body_sv": "Hej"}, {"title_sv": "required"}),
        ({"title_fi": "T", "body_fi": "B", "title_en": "Thanks"}, {"body_en": "required"}),
        ({"title_fi": "T", "body_fi": "Hei {nimi}"}, {"body_fi": "unknown_placeholder"}),
        ({"title_fi": "x" * 201, "body_fi": "B"}, {"title_fi": "too_long"}),
        ({"title_fi": "T", "body_fi": "x" * 5001}, {"body_fi": "too_long"}),
    ],
)
def test_validation(fields: dict[str, str], errors: dict[str, str]) -> None:
    found, unknown = validate_canned(draft(**fields))
    assert found == errors
    if "body_fi" in errors and errors["body_fi"] == "unknown_placeholder":
        assert unknown == {"body_fi": ["nimi"]}


@pytest.mark.parametrize(
    ("bodies", "case_language", "chosen"),
    [
        ({"fi": "a", "sv": "b", "en": "c"}, "sv", ("sv", False)),
        ({"fi": "a", "sv": "", "en": "c"}, "sv", ("fi", True)),
        ({"fi": "a", "sv": "", "en": ""}, "fi", ("fi", False)),
        ({"fi": "a", "sv": "", "en": ""}, "en", ("fi", True)),
    ],
)
def test_language_and_fallback(bodies, case_language, chosen) -> None:
    assert choose_language(bodies, case_language) == chosen


def test_expected_dates_in_helsinki_time_per_language() -> None:
    due = datetime(2026, 3, 3, 12, 5, tzinfo=UTC)  # 14:05 in Helsinki
    assert format_expected(due, "fi") == "3.3.2026 klo 14.05"
    assert format_expected(due, "sv") == "3.3.2026 kl. 14.05"
    assert format_expected(due, "en") == "3.3.2026 at 14:05"
    assert format_expected(None, "fi") == "—"


def test_render_fills_every_placeholder() -> None:
    facts = CaseFacts(
        employer_name="Metalli Oy",
        contact_name="Teija",
        reference="TP-2026-000001",
        adviser_name="Aino",
        expected_first_response=datetime(2026, 3, 3, 12, 0, tzinfo=UTC),
        expected_resolution=None,
    )
    values = placeholder_values(facts, "sv")
    assert set(values) == set(PLACEHOLDERS)
    text = (
        "Hej {contact_name} på {employer_name}: {reference}, "
        "svar {expected_first_response}. /{adviser_name} {x}"
    )
    assert render(text, values) == (
        "Hej Teija på Metalli Oy: TP-2026-000001, svar 3.3.2026 kl. 14.00. /Aino {x}"
    )
