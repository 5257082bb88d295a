"""Fit and apply a topic model: TF-IDF over the tickets' words, then NMF (non-negative matrix
factorisation) into topics, each a weighted set of words.

A fitted model is plain arrays (the vocabulary as a list of words, the idf weights and the
normalised topic components as little-endian float32), so it is stored in the database and read
back without pickle: nothing a user could write is ever executed on load.

Predicting one ticket's topic needs no scikit-learn: the ticket's TF-IDF vector (a few words) is
scored against each topic's unit component, and the best wins; a few microseconds per ticket.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

TOP_TERMS = 30  # the words a topic keeps for its label and for matching it after a refit
MAX_FEATURES = 30_000
# NMF learns the topics from at most this many tickets (a random sample; the vocabulary and idf
# come from all of them): at 200,000 tickets fitting all of them cost minutes, and the topics a
# sample of 20,000 finds are the same ones (bench/README.md, topics).
FIT_SAMPLE = 20_000


@dataclass
class Fitted:
    """A fitted model: `vocabulary` (word -> column), `idf` (one per column), `components`
    (topics x columns, each row of unit length, non-negative)."""

    words: list[str]
    idf: np.ndarray
    components: np.ndarray

    def __post_init__(self) -> None:
        self.vocabulary = {w: i for i, w in enumerate(self.words)}

    @property
    def size(self) -> int:
        return self.components.shape[0]

    def vector(self, words: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The unit TF-IDF vector of `words` (sublinear tf, like the fit), as (columns, weights)."""
        counts = Counter(self.vocabulary[w] for w in words if w in self.vocabulary)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        columns = np.fromiter(counts, dtype=np.int64, count=len(counts))
        weights = np.array([1.0 + math.log(counts[c]) for c in columns], dtype=np.float32) * self.idf[columns]
        return columns, weights / np.linalg.norm(weights)

    def scores(self, words: Sequence[str]) -> np.ndarray:
        """How much `words` look like each topic (cosine to its component); all zero without known words."""
        columns, weights = self.vector(words)
        if not len(columns):
            return np.zeros(self.size, dtype=np.float32)
        return self.components[:, columns] @ weights

    def predict(self, words: Sequence[str]) -> tuple[int | None, float]:
        """(row of the best topic, its score), or (None, 0.0) when no word of `words` is known."""
        scores = self.scores(words)
        if not scores.size or scores.max() <= 0:
            return None, 0.0
        row = int(scores.argmax())
        return row, float(scores[row])

    def top_terms(self, row: int, n: int = TOP_TERMS) -> dict[str, float]:
        """The `n` heaviest words of topic `row` with their weights (heaviest first)."""
        component = self.components[row]
        order = np.argsort(-component)[:n]
        return {self.words[i]: round(float(component[i]), 5) for i in order if component[i] > 0}

    def with_rows(self, extra: Sequence[dict[str, float]]) -> Fitted:
        """A copy with one more topic per term-weight dict of `extra` (a pinned topic no new topic
        matched: it stays predictable, by the words it had). Its words the fit did not keep join
        the vocabulary as rare ones (the highest idf)."""
        missing = list(dict.fromkeys(w for terms in extra for w in terms if w not in self.vocabulary))
        words = self.words + missing
        rare = float(self.idf.max()) if self.idf.size else 1.0
        idf = np.concatenate([self.idf, np.full(len(missing), rare, dtype=np.float32)])
        components = np.hstack([self.components, np.zeros((self.size, len(missing)), dtype=np.float32)])
        grown = Fitted(words, idf, components)
        rows = [components]
        for terms in extra:
            row = np.zeros((1, len(words)), dtype=np.float32)
            for word, weight in terms.items():
                row[0, grown.vocabulary[word]] = weight
            norm = np.linalg.norm(row)
            rows.append(row / norm if norm else row)
        return Fitted(words, idf, np.vstack(rows).astype(np.float32))

    # Stored as bytes: float32 little-endian, rows of len(words).
    def to_bytes(self) -> tuple[bytes, bytes]:
        return self.idf.astype("<f4").tobytes(), self.components.astype("<f4").tobytes()

    @classmethod
    def from_bytes(cls, words: list[str], idf: bytes, components: bytes) -> Fitted:
        idf_array = np.frombuffer(idf, dtype="<f4").astype(np.float32)
        if idf_array.size != len(words) or len(components) % (4 * max(1, len(words))):
            raise ValueError("stored topic model does not fit its vocabulary")
        return cls(words, idf_array, np.frombuffer(components, dtype="<f4").reshape(-1, len(words)).astype(np.float32))


def _split(document: str) -> list[str]:
    return document.split()


def fit(documents: Sequence[str], n_topics: int, *, seed: int = 0) -> tuple[Fitted, np.ndarray]:
    """Fit `n_topics` topics to `documents` (space-separated words, see `text.document`).

    Returns the model and, per document, the row of its topic (-1: none of its words is in the
    vocabulary). Fewer topics than asked when the documents have fewer distinct words."""
    fitted, matrix = fit_matrix(documents, n_topics, seed=seed)
    scores = np.asarray(matrix @ fitted.components.T)
    return fitted, np.where(scores.max(axis=1) > 0, scores.argmax(axis=1), -1)


def fit_matrix(documents: Sequence[str], n_topics: int, *, seed: int = 0):
    """`fit`, returning the model and the documents' unit TF-IDF rows (a sparse matrix) instead."""
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    def vectorize(max_df: float):
        vectorizer = TfidfVectorizer(tokenizer=_split, token_pattern=None, lowercase=False, sublinear_tf=True,
                                     min_df=2 if len(documents) >= 50 else 1, max_df=max_df,
                                     max_features=MAX_FEATURES, dtype=np.float32)
        return vectorizer, vectorizer.fit_transform(documents)

    try:  # words in over half the tickets name no topic...
        vectorizer, matrix = vectorize(0.5 if len(documents) >= 20 else 1.0)
    except ValueError:  # ...unless every ticket is about the same thing
        vectorizer, matrix = vectorize(1.0)
    words = list(vectorizer.get_feature_names_out())
    k = max(1, min(n_topics, len(words), len(documents)))
    nmf = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=300, tol=1e-4)
    matrix = matrix.tocsr()
    if matrix.shape[0] > FIT_SAMPLE:  # the topics of a random sample; every ticket is scored against them
        rows = np.random.default_rng(seed).choice(matrix.shape[0], FIT_SAMPLE, replace=False)
        nmf.fit(matrix[np.sort(rows)])
    else:
        nmf.fit(matrix)
    components = nmf.components_.astype(np.float32)
    norms = np.linalg.norm(components, axis=1, keepdims=True)
    components = np.divide(components, norms, out=np.zeros_like(components), where=norms > 0)
    return Fitted(words, vectorizer.idf_.astype(np.float32), components), matrix
