"""The desk's message catalogue outside a request: gettext in a language chosen by the caller.

Pages translate through Flask-Babel in the reader's language. What services compose and
store in another person's language (a case's routing reason, in the employer's language) is
translated here, from the same compiled catalogues (desk/translations, `make translations`),
so every text of the desk has one wording and one translation style. Not Flask: services
may use it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.support import Translations

from desk.domain.languages import PluralTranslate, Translate, normalise_language

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
# The messages are written in English: English needs no compiled catalogue.
SOURCE_LANGUAGE = "en"


class CatalogueMissing(RuntimeError):
    """A language's compiled catalogue is missing (run `make translations`)."""


@lru_cache(maxsize=8)
def _translations(language: str) -> Translations | None:
    if language == SOURCE_LANGUAGE:
        return None
    found = Translations.load(str(TRANSLATIONS_DIR), [language])
    if not isinstance(found, Translations):
        # Never store an English sentence on a Finnish or Swedish case by accident.
        raise CatalogueMissing(
            f"no compiled catalogue for {language!r} in {TRANSLATIONS_DIR}: run `make translations`"
        )
    return found


@lru_cache(maxsize=8)
def catalogue(language: str) -> Translate:
    """gettext in the language with named placeholders (like flask_babel.gettext)."""
    translations = _translations(normalise_language(language))

    def translate(message: str, /, **params: Any) -> str:
        text = translations.gettext(message) if translations is not None else message
        return text % params if params else text

    return translate


@lru_cache(maxsize=8)
def plurals(language: str) -> PluralTranslate:
    """ngettext in the language with named placeholders (like flask_babel.ngettext)."""
    translations = _translations(normalise_language(language))

    def translate(singular: str, plural: str, num: int, /, **params: Any) -> str:
        if translations is not None:
            text = translations.ngettext(singular, plural, num)
        else:
            text = singular if num == 1 else plural
        return text % {"num": num, **params}

    return translate
