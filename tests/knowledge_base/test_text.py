"""Snippets: the lazy window (only the parts up to the first match and the window are tested) gives
exactly what marking every word of the text gave, checked against that first version."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge_base.text import (
    _WORD,
    MARK_END,
    MARK_START,
    _matches,
    _may_match,
    fold,
    fold_text,
    snippet,
    space_cjk,
)


def snippet_marking_every_word(text: str, words: list[str], phrases: list[str], size: int = 24) -> str:
    """The first version of `snippet` (every part of the text folded and tested), kept as the oracle."""
    parts = space_cjk(text).split()
    if not phrases and not _may_match(parts, words):
        hits = [False] * len(parts)
    else:
        folded = [fold(p).strip(".,;:!?()[]\"'«»¿¡") for p in parts]
        hits = [any(_matches(w, words) for w in _WORD.findall(f)) for f in folded]
    for phrase in phrases:
        n = len(phrase)
        for i in range(len(parts) - n + 1):
            if "".join(folded[i : i + n]) == phrase:
                hits[i : i + n] = [True] * n
    first = hits.index(True) if True in hits else 0
    start = max(0, first - size // 4)
    end = min(len(parts), start + size)
    shown = [f"{MARK_START}{p}{MARK_END}" if hits[i] else p for i, p in enumerate(parts[start:end], start)]
    return ("… " if start else "") + " ".join(shown) + (" …" if end < len(parts) else "")


VOCABULARY = [
    "refund",
    "Refunded",
    "REFUND.",
    "réfund",
    "password",
    "passwords",
    "<b>pass</b>",
    "order",
    "García",
    "garcia,",
    "(refund)",
    "please",
    "ref",
    "the",
    "500",
    "#5521",
    "账户",
    "密码",
    "重置密码",
    "x",
    "¿refund?",
    "ünd",
]
texts = st.lists(st.sampled_from(VOCABULARY), max_size=80).map(" ".join)
queries = st.lists(
    st.sampled_from(["refund", "ref", "passw", "password", "garcia", "500", "5521", "order", "zzz"]),
    min_size=1,
    max_size=3,
)


@settings(max_examples=400, deadline=None)
@given(text=texts, words=queries, size=st.sampled_from([4, 24, 100]))
def test_snippet_of_words_is_the_same_as_marking_every_word(text, words, size):
    assert snippet(text, words, [], size) == snippet_marking_every_word(text, words, [], size)


@settings(max_examples=200, deadline=None)
@given(text=texts, words=queries, phrases=st.lists(st.sampled_from(["密码", "重置", "账户"]), min_size=1, max_size=2))
def test_snippet_with_cjk_phrases_is_the_same_as_marking_every_word(text, words, phrases):
    assert snippet(text, words, phrases) == snippet_marking_every_word(text, words, phrases)


def test_the_first_match_deep_in_a_long_text_is_the_window():
    text = " ".join(["filler"] * 5000 + ["Refunded", "at", "last"] + ["filler"] * 50)
    shown = snippet(text, ["refund"], [], size=8)
    assert shown == f"… filler filler {MARK_START}Refunded{MARK_END} at last filler filler filler …"
    assert shown == snippet_marking_every_word(text, ["refund"], [], size=8)


@given(st.text(max_size=40))
def test_fold_text_is_lower_case_without_accents(text):
    decomposed = unicodedata.normalize("NFKD", text.lower())
    assert fold_text(text) == "".join(c for c in decomposed if not unicodedata.combining(c)) == fold(text)
    assert fold_text("Contraseña ÜBER") == "contrasena uber"
