"""Hostile text for the fuzz tests: arbitrary Unicode, control characters, bidi overrides,
zero-width characters, markup, and huge values. Surrogates are left out: they cannot be
encoded in a request at all (a client cannot send them)."""

from __future__ import annotations

from hypothesis import strategies as st

_ANY = st.characters(exclude_categories=("Cs",))
_CONTROL = st.characters(min_codepoint=0, max_codepoint=0x1F) | st.sampled_from("\x7f\x85")
_ODD = st.sampled_from(
    ["\u202e", "\u202d", "\u2066", "\u200b", "\u200d", "\ufeff", "\u0301", "\U0001f600", "\ufffd"]
)
_MARKUP = st.sampled_from(
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "{{ 7*7 }}",
        "%(x)s",
        "' OR 1=1--",
    ]
)

hostile_text = st.one_of(
    st.text(_ANY, max_size=200),
    st.text(_CONTROL | _ODD, min_size=1, max_size=30),
    st.lists(st.one_of(_MARKUP, st.text(_ANY, max_size=5)), max_size=4).map("".join),
    st.integers(min_value=5_000, max_value=300_000).map(lambda n: "å" * n),
)
