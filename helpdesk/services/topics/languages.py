"""Topics across languages: each language's topics are found apart, then the ones that are the same
topic in two languages are joined into one.

Without a bilingual dictionary (none is bundled) two topics are known to be the same only by what
their languages share: product and feature names, codes and acronyms written alike in every
language (API, CSV, PDF, iPhone), and, between languages of one script, words of one root
(cancel / cancelar, subscription / suscripcion, export / exportar), compared by their letter
trigrams. Each pair of languages is matched one to one (the most alike pairs first), and a pair at
least JOIN alike becomes one topic. Topics with nothing in common stay apart, one per language:
an admin can still merge them (curation.merge).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from itertools import combinations

import numpy as np

JOIN = 0.1  # cosine of two topics' shared-form profiles from which they are one topic (bench/README.md, topics)
MIN_DOCUMENTS = 30  # a language with fewer tickets is modelled with the others of its kind


def partition(languages: list[str]) -> dict[str, list[int]]:
    """{language: row indexes}; languages too small to model alone pooled under "" (all of them)."""
    rows: dict[str, list[int]] = {}
    for i, language in enumerate(languages):
        rows.setdefault(language, []).append(i)
    small = [lang for lang, idx in rows.items() if len(idx) < MIN_DOCUMENTS]
    if len(small) == len(rows):
        return {"": list(range(len(languages)))}
    for language in small:
        rows.setdefault("", []).extend(rows.pop(language))
    return {lang: sorted(idx) for lang, idx in rows.items()}


def _profile(terms: dict[str, float]) -> Counter:
    """What a topic's words share with other languages: Latin-script words as they are, and their
    letter trigrams (weighted down by the word's length, so a long word counts once)."""
    out: Counter = Counter()
    for word, weight in terms.items():
        if not word.isascii():
            continue
        out["w " + word] += weight
        padded = f"<{word}>"
        for i in range(len(padded) - 2):
            out[padded[i:i + 3]] += weight / len(word)
    return out


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """The cosine of two sparse weight vectors (0 when either is empty)."""
    dot = sum(v * b[k] for k, v in a.items() if k in b)
    norm = math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def join(row_terms: list[dict[str, float]], row_languages: list[str]) -> list[int]:
    """The group of each topic row: rows of different languages found to be the same topic share
    one (numbered 0.. in the order of their first row)."""
    from scipy.optimize import linear_sum_assignment

    parent = list(range(len(row_terms)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    profiles = [_profile(terms) for terms in row_terms]
    by_language: dict[str, list[int]] = {}
    for row, language in enumerate(row_languages):
        by_language.setdefault(language, []).append(row)
    for first, second in combinations(sorted(lang for lang in by_language if lang), 2):
        a, b = by_language[first], by_language[second]
        alike = np.array([[cosine(profiles[i], profiles[j]) for j in b] for i in a])
        for r, c in zip(*linear_sum_assignment(-alike), strict=True):
            if alike[r, c] >= JOIN:
                parent[root(a[r])] = root(b[c])
    numbers: dict[int, int] = {}
    return [numbers.setdefault(root(row), len(numbers)) for row in range(len(row_terms))]
