"""The Finnish and Swedish catalogues are complete, consistent and current with the sources.

English is the source language: msgids are English and gettext falls back to them, so there
is no `en` catalogue. Every other language must translate every string, keep the same
%(name)s placeholders, compile, and contain every string the templates and code use today.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from desk.config import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "desk" / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
LANGUAGES = ("fi", "sv")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _catalogue(language: str) -> Catalog:
    return _read(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", language)


def _ids(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, list | tuple) else [message.id]


def _strings(message: Message) -> list[str]:
    if isinstance(message.string, list | tuple):
        return list(message.string)
    return [message.string]


def _messages(catalogue: Catalog) -> list[Message]:
    """Every real message: the header (empty msgid) and obsolete entries are not counted."""
    return [message for message in catalogue if message.id]


def _key(message: Message) -> str:
    return _ids(message)[0]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language: str) -> None:
    catalogue = _catalogue(language)
    messages = _messages(catalogue)
    assert messages, f"{language}: the catalogue is empty"
    untranslated = [_key(m) for m in messages if not all(s.strip() for s in _strings(m))]
    fuzzy = [_key(m) for m in messages if m.fuzzy]
    assert not untranslated, f"{language}: untranslated messages: {untranslated}"
    assert not fuzzy, f"{language}: fuzzy messages: {fuzzy}"
    assert not catalogue.fuzzy, f"{language}: the catalogue header is marked fuzzy"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_exactly_the_placeholders_of_the_source(language: str) -> None:
    wrong = {}
    for message in _messages(_catalogue(language)):
        expected = set().union(*(PLACEHOLDER.findall(i) for i in _ids(message)))
        for string in _strings(message):
            found = set(PLACEHOLDER.findall(string))
            if found != expected:
                wrong[_key(message)] = (sorted(expected), sorted(found))
    assert not wrong, f"{language}: placeholders differ (msgid, msgstr): {wrong}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_formatted_translations_format_without_errors(language: str) -> None:
    """A stray % in a string with placeholders would raise at render time."""
    for message in _messages(_catalogue(language)):
        names = set().union(*(PLACEHOLDER.findall(i) for i in _ids(message)))
        if not names:
            continue
        values = dict.fromkeys(names, 1)  # an int formats as both %s and %d
        for string in _strings(message):
            assert "1" in string % values, f"{language}: {_key(message)!r}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_compiles(language: str) -> None:
    catalogue = _catalogue(language)
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    assert len(buffer.getvalue()) > 100


def test_catalogues_contain_every_string_of_the_sources(tmp_path: Path) -> None:
    """A new _() in a template or in code without a translation fails here."""
    extracted_path = tmp_path / "messages.pot"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "--quiet",
            "extract",
            "-F",
            "config/babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(extracted_path),
            ".",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"pybabel extract failed: {result.stderr}"
    extracted = {_key(m) for m in _messages(_read(extracted_path))}
    assert extracted, "extraction found no messages"

    in_template = {_key(m) for m in _messages(_read(TEMPLATE))}
    missing = sorted(extracted - in_template)
    assert not missing, f"messages.pot is out of date; re-run pybabel extract. Missing: {missing}"

    for language in LANGUAGES:
        present = {_key(m) for m in _messages(_catalogue(language))}
        missing = sorted(extracted - present)
        assert not missing, (
            f"{language}: run pybabel update and translate these new messages: {missing}"
        )
