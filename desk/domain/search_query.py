"""What an adviser typed into the search box: words, quoted phrases, and codes matched exactly.

A case reference (TP-2026-000042) or a Business ID (1234567-8) is a code: it is matched
against its column exactly, never through the text index. The rest are words and "quoted
phrases" for the full-text index. Highlights come back from the databases with two control
characters around each hit; `segments` turns such text into (text, hit) pieces, so a page
escapes every piece and never trusts marked-up user text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from desk.domain.business_id import InvalidBusinessId, normalise_business_id
from desk.domain.case_reference import format_reference, parse_reference

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
# Hit markers in snippets from ts_headline and FTS5's snippet()/highlight().
START = "\x02"
STOP = "\x03"

_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+(?:[-']\w+)*")
_VOWELS = set("aeiouyäöå")


class QueryTooLong(ValueError):
    """The query is longer than MAX_QUERY_LENGTH characters."""


@dataclass(frozen=True)
class SearchQuery:
    """A parsed query: exact references and Business IDs, words, and phrases."""

    references: tuple[str, ...] = ()
    business_ids: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()

    @property
    def empty(self) -> bool:
        """Nothing to search for."""
        return not (self.references or self.business_ids or self.words or self.phrases)

    @property
    def has_text(self) -> bool:
        """Words or phrases for the full-text index (not only codes)."""
        return bool(self.words or self.phrases)


def _code(token: str) -> tuple[str, str] | None:
    reference = parse_reference(token)
    if reference is not None:
        return "reference", format_reference(*reference)
    if re.fullmatch(r"\d{7}-\d", token):
        try:
            return "business_id", normalise_business_id(token)
        except InvalidBusinessId:
            return None
    return None


def parse_query(text: str) -> SearchQuery:
    """Split the query into codes, words and phrases; QueryTooLong past the limit."""
    text = (text or "").strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryTooLong(str(len(text)))
    references: list[str] = []
    business_ids: list[str] = []
    words: list[str] = []
    phrases: list[tuple[str, ...]] = []
    for match in _TOKEN.finditer(text.replace(START, " ").replace(STOP, " ")):
        quoted, bare = match.group(1), match.group(2)
        if quoted is not None:
            parts = tuple(word.lower() for word in _WORD.findall(quoted))
            if len(parts) == 1:
                words.append(parts[0])
            elif parts:
                phrases.append(parts)
            continue
        code = _code(bare.strip(".,;:!?()"))
        if code is not None:
            (references if code[0] == "reference" else business_ids).append(code[1])
            continue
        words.extend(word.lower() for word in _WORD.findall(bare))
    return SearchQuery(
        tuple(dict.fromkeys(references))[:MAX_TERMS],
        tuple(dict.fromkeys(business_ids))[:MAX_TERMS],
        tuple(dict.fromkeys(words))[:MAX_TERMS],
        tuple(dict.fromkeys(phrases))[:MAX_TERMS],
    )


def weak_prefix(word: str) -> str | None:
    """A prefix that also finds the word's other inflected forms, or None for short words.

    Snowball's Finnish stemmer does not undo consonant gradation: "rekrytointi" stems to
    "rekrytoint" but "rekrytoinnin" to "rekrytoin". Dropping a final consonant (a case ending
    such as -n), then the final vowels and then the consonants before them ("rekrytoi") gives
    a prefix both stems share. A heuristic: longer endings (-ssa, -lla) can still miss.
    """
    stem = word.lower()
    if not stem.isalpha() or len(stem) < 6:
        return None
    if stem[-1] not in _VOWELS:
        stem = stem[:-1]
    while stem and stem[-1] in _VOWELS:
        stem = stem[:-1]
    while stem and stem[-1] not in _VOWELS:
        stem = stem[:-1]
    return stem if len(stem) >= 5 else None


def segments(marked: str) -> list[tuple[str, bool]]:
    """Text with START/STOP hit markers as (text, is_hit) pieces, markers removed."""
    pieces: list[tuple[str, bool]] = []
    hit = False
    for part in re.split(f"([{START}{STOP}])", marked):
        if part == START:
            hit = True
        elif part == STOP:
            hit = False
        elif part:
            pieces.append((part, hit))
    return pieces


def has_hit(marked: str) -> bool:
    """Whether a highlighted text holds a hit."""
    return START in marked
