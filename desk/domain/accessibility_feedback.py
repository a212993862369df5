"""The accessibility feedback form's rules (Act 306/2019 §15): who wrote, where the problem
is, and what it is. Error codes per field, as the request form's (desk.domain.intake)."""

from __future__ import annotations

from dataclasses import dataclass

from desk.domain.errors import FieldErrors
from desk.domain.intake import checked_email, control_character_errors, required_text
from desk.domain.languages import DEFAULT_LANGUAGE, LANGUAGES

# Accessibility feedback is about the service, not an employer's workplace: the employers'
# routing rules do not apply, and the regional intake team (host Lahti) answers it.
TEAM = "regional-intake"
RULE = "accessibility-feedback"
REASONS = {
    "fi": "Saavutettavuuspalautteeseen vastaa seudullinen vastaanottotiimi.",
    "sv": "Respons om tillgänglighet besvaras av det regionala mottagningsteamet.",
    "en": "Accessibility feedback is answered by the regional intake team.",
}
MAX_NAME = 200
MAX_PAGE = 2000
MAX_DESCRIPTION = 5000
FIELDS = ("name", "email", "page", "description")


@dataclass(frozen=True)
class RawFeedback:
    """What the sender typed, as received."""

    name: str = ""
    email: str = ""
    page: str = ""
    description: str = ""
    language: str = ""


@dataclass(frozen=True)
class CleanFeedback:
    """Valid feedback, normalised."""

    name: str
    email: str
    page: str
    description: str
    language: str


class InvalidFeedback(FieldErrors):
    """Some fields are invalid; errors maps field name to an error code."""


def validate_feedback(raw: RawFeedback) -> CleanFeedback:
    """Validate and normalise feedback, or raise InvalidFeedback naming every bad field."""
    errors: dict[str, str] = {}
    name = raw.name.strip()
    if len(name) > MAX_NAME:
        errors["name"] = "too_long"
    email = checked_email(raw.email, "email", errors)
    page = raw.page.strip()
    if len(page) > MAX_PAGE:
        errors["page"] = "too_long"
    description = required_text(raw.description, "description", errors, MAX_DESCRIPTION)
    errors.update(
        control_character_errors(
            {
                "name": raw.name,
                "email": raw.email,
                "page": raw.page,
                "description": raw.description,
            },
            multiline=("description",),
        )
    )
    if errors:
        raise InvalidFeedback(errors)
    language = raw.language if raw.language in LANGUAGES else DEFAULT_LANGUAGE
    return CleanFeedback(name, email, page, description, language)
