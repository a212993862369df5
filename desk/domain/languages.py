"""The desk's languages (Finnish first, then Swedish and English) and how the domain words
things: its sentences are gettext messages with named placeholders in the desk's one catalogue
(desk/translations), marked with N_ and translated through a Catalogue that the caller hands
in, so the domain reads no file and imports no Flask."""

from typing import Any, Final, Protocol

LANGUAGES: Final = ("fi", "sv", "en")
DEFAULT_LANGUAGE: Final = "fi"


def normalise_language(value: str | None) -> str:
    """Return a supported language code, falling back to Finnish."""
    code = (value or "").strip().lower()[:2]
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


# Each language named in itself, as the request form and the routing reasons name it.
ENDONYMS: Final = {"fi": "suomi", "sv": "svenska", "en": "English"}


class Translate(Protocol):
    """gettext in one language with named placeholders: translate("Hi %(name)s", name=n)."""

    def __call__(self, message: str, /, **params: Any) -> str: ...


class PluralTranslate(Protocol):
    """ngettext in one language with named placeholders; `num` is the count."""

    def __call__(self, singular: str, plural: str, num: int, /, **params: Any) -> str: ...


class Catalogue(Protocol):
    """The desk's message catalogue: a Translate for a language (desk.i18n.catalogue)."""

    def __call__(self, language: str) -> Translate: ...


def N_(message: str) -> str:
    """Mark a message for the catalogue (pybabel extracts N_); it is translated when used."""
    return message
