"""Parsing the search box: codes exact, words and phrases, limits; Finnish gradation-proof
prefixes; highlight markers to escaped pieces."""

import pytest

from desk.domain.search_query import (
    START,
    STOP,
    QueryTooLong,
    parse_query,
    segments,
    weak_prefix,
)


def test_codes_words_and_phrases() -> None:
    query = parse_query('tp-2026-000042 01120389 0112038-9 Hitsaaja "kolme  hitsaajaa" "yksi"')
    assert query.references == ("TP-2026-000042",)
    assert query.business_ids == ("0112038-9",)
    assert query.words == ("01120389", "hitsaaja", "yksi")
    assert query.phrases == (("kolme", "hitsaajaa"),)
    assert parse_query("0112038-8").business_ids == ()  # bad check digit: words, not a code
    assert parse_query("0112038-8").words == ("0112038-8",)


@pytest.mark.parametrize("text", ["", "   ", '""', "* ( ) : ^ -", f"{START}{STOP}"])
def test_nothing_to_search(text: str) -> None:
    assert parse_query(text).empty


def test_too_long() -> None:
    parse_query("x" * 200)
    with pytest.raises(QueryTooLong):
        parse_query("x" * 201)


@pytest.mark.parametrize(
    ("word", "prefix"),
    [
        ("rekrytointi", "rekrytoi"),
        ("rekrytoinnin", "rekrytoi"),
        ("hitsaajia", "hitsaa"),
        ("Lahti", None),
        ("0112038", None),
    ],
)
def test_weak_prefix(word: str, prefix: str | None) -> None:
    assert weak_prefix(word) == prefix


def test_segments() -> None:
    marked = f"a <b> {START}hit{STOP} & {START}two{STOP}"
    assert segments(marked) == [("a <b> ", False), ("hit", True), (" & ", False), ("two", True)]
    assert segments("") == []
