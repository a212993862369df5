"""The desk's languages: Finnish first, then Swedish and English."""

from typing import Final

LANGUAGES: Final = ("fi", "sv", "en")
DEFAULT_LANGUAGE: Final = "fi"


def normalise_language(value: str | None) -> str:
    """Return a supported language code, falling back to Finnish."""
    code = (value or "").strip().lower()[:2]
    return code if code in LANGUAGES else DEFAULT_LANGUAGE
