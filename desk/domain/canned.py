"""Canned responses: their placeholders, the check made at save and the rendering in a case.

A canned response is a team's ready answer with a title and a body in Finnish (required),
Swedish and English. Its text may hold placeholders such as `{reference}`; the set is fixed
here, an unknown one is refused when the response is saved, so an adviser never sends a
brace to an employer. Pure: the services hand in the case's facts as plain values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from desk.domain.business_calendar import HELSINKI

LANGUAGES: Final = ("fi", "sv", "en")
FALLBACK_LANGUAGE: Final = "fi"
MAX_TITLE: Final = 200
MAX_BODY: Final = 5000

# Every placeholder a canned response may use, in the order the management page lists them.
PLACEHOLDERS: Final = (
    "employer_name",
    "contact_name",
    "reference",
    "adviser_name",
    "expected_first_response",
    "expected_resolution",
)

# Anything between braces is a placeholder (so "{Reference}" or "{ref}" is refused, not sent).
_PLACEHOLDER = re.compile(r"\{([^{}\n]{0,60})\}")
# A date that is not (yet) known, e.g. a case from before the SLA engine.
NO_DATE: Final = "—"


def placeholders_in(text: str) -> list[str]:
    """The placeholder names a text uses, in order of first use."""
    seen: dict[str, None] = {}
    for match in _PLACEHOLDER.finditer(text):
        seen.setdefault(match.group(1), None)
    return list(seen)


def unknown_placeholders(text: str) -> list[str]:
    """The placeholders of a text that the desk does not know."""
    return [name for name in placeholders_in(text) if name not in PLACEHOLDERS]


@dataclass(frozen=True)
class CannedDraft:
    """What a manager typed: title and body per language, stripped."""

    titles: Mapping[str, str]
    bodies: Mapping[str, str]


def validate_canned(draft: CannedDraft) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Field errors (field -> code) and, per field, the unknown placeholders it holds.

    The Finnish title and body are required (Finnish is the desk's first language and the
    fallback); a Swedish or English body needs its title, and a title its body.
    """
    errors: dict[str, str] = {}
    unknown: dict[str, list[str]] = {}
    for language in LANGUAGES:
        title = draft.titles.get(language, "")
        body = draft.bodies.get(language, "")
        title_field, body_field = f"title_{language}", f"body_{language}"
        if len(title) > MAX_TITLE:
            errors[title_field] = "too_long"
        elif not title and (language == FALLBACK_LANGUAGE or body):
            errors[title_field] = "required"
        if len(body) > MAX_BODY:
            errors[body_field] = "too_long"
        elif not body and (language == FALLBACK_LANGUAGE or title):
            errors[body_field] = "required"
        elif names := unknown_placeholders(body):
            errors[body_field] = "unknown_placeholder"
            unknown[body_field] = names
    return errors, unknown


def choose_language(bodies: Mapping[str, str], case_language: str) -> tuple[str, bool]:
    """The language to insert in: the case's when the response has it, else Finnish.

    The second value says whether it fell back (the page tells the adviser so).
    """
    if bodies.get(case_language):
        return case_language, False
    return FALLBACK_LANGUAGE, case_language != FALLBACK_LANGUAGE


def format_expected(value: datetime | None, language: str) -> str:
    """An expected date in Helsinki time, written as a reader of the language writes it."""
    if value is None:
        return NO_DATE
    local = value.astimezone(HELSINKI)
    day = f"{local.day}.{local.month}.{local.year}"
    if language == "fi":
        return f"{day} klo {local.hour}.{local.minute:02d}"
    if language == "sv":
        return f"{day} kl. {local.hour}.{local.minute:02d}"
    return f"{day} at {local.hour:02d}:{local.minute:02d}"


@dataclass(frozen=True)
class CaseFacts:
    """The facts of one case a canned response may name."""

    employer_name: str
    contact_name: str
    reference: str
    adviser_name: str
    expected_first_response: datetime | None
    expected_resolution: datetime | None


def placeholder_values(facts: CaseFacts, language: str) -> dict[str, str]:
    """Each placeholder's text for the case, dates written in the language."""
    return {
        "employer_name": facts.employer_name,
        "contact_name": facts.contact_name,
        "reference": facts.reference,
        "adviser_name": facts.adviser_name,
        "expected_first_response": format_expected(facts.expected_first_response, language),
        "expected_resolution": format_expected(facts.expected_resolution, language),
    }


def render(text: str, values: Mapping[str, str]) -> str:
    """The text with every known placeholder replaced; unknown ones are left as typed."""
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)
