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
import warnings
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
# How many topics a language has is chosen among these (and the most asked), on a sample this big.
K_CANDIDATES = (2, 3, 4, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50)
SELECT_SAMPLE = 400


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


def fit(documents: Sequence[str], n_topics: int, *, languages: Sequence[str] | None = None,
        seed: int = 0) -> tuple[Fitted, list[int], np.ndarray]:
    """Fit topics to `documents` (space-separated words, see `text.document`), at most `n_topics`
    per language of `languages` (one per document, see `text.language`; None: one language).

    Returns the model, each row's group (rows of one topic in several languages share a group, see
    `languages.join`) and, per document, the row of its topic (-1: none of its words is known)."""
    fitted, groups, matrix = fit_matrix(documents, n_topics, languages=languages, seed=seed)
    scores = np.asarray(matrix @ fitted.components.T)
    return fitted, groups, np.where(scores.max(axis=1) > 0, scores.argmax(axis=1), -1)


def _vectorize(documents: Sequence[str]):
    from sklearn.feature_extraction.text import TfidfVectorizer

    def vectorize(max_df: float):
        vectorizer = TfidfVectorizer(tokenizer=_split, token_pattern=None, lowercase=False, sublinear_tf=True,
                                     min_df=2 if len(documents) >= 50 else 1, max_df=max_df,
                                     max_features=MAX_FEATURES, dtype=np.float32)
        return vectorizer, vectorizer.fit_transform(documents)

    try:  # words in over half the tickets name no topic...
        return vectorize(0.5 if len(documents) >= 20 else 1.0)
    except ValueError:  # ...unless every ticket is about the same thing
        return vectorize(1.0)


def _nmf(k: int, seed: int, max_iter: int = 300):
    from sklearn.decomposition import NMF

    return NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=max_iter, tol=1e-4)


def choose_k(matrix, most: int, *, seed: int = 0) -> int:
    """How many topics the rows of `matrix` (unit TF-IDF) hold, at most `most`: the number whose
    NMF grouping has the best silhouette (cosine), measured on a sample of SELECT_SAMPLE rows.
    Asking for more topics than there are splits real ones in pieces, asking for fewer lumps
    them together; both lower the silhouette."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import silhouette_score

    n = matrix.shape[0]
    most = min(most, n - 1, matrix.shape[1])
    if most < 3:
        return max(1, most)
    if n > SELECT_SAMPLE:
        matrix = matrix[np.sort(np.random.default_rng(seed).choice(n, SELECT_SAMPLE, replace=False))]
    matrix = matrix[:, np.unique(matrix.indices)]  # the sample's words only: the others' columns are empty
    best, best_score, worse = most, -2.0, 0
    for k in sorted({k for k in K_CANDIDATES if k <= most} | {most}):
        with warnings.catch_warnings():  # a rough fit is enough to compare groupings
            warnings.simplefilter("ignore", ConvergenceWarning)
            labels = _nmf(k, seed, max_iter=100).fit_transform(matrix).argmax(axis=1)
        if len(set(labels)) < 2:
            continue
        score = silhouette_score(matrix, labels, metric="cosine", random_state=seed)
        if score > best_score:
            best, best_score, worse = k, score, 0
        else:
            worse += 1
            if worse == 2:  # past the peak: the larger (and dearer) fits only split topics further
                break
    return best


def fit_matrix(documents: Sequence[str], n_topics: int, *, languages: Sequence[str] | None = None,
               seed: int = 0) -> tuple[Fitted, list[int], object]:
    """`fit`, returning the model, the rows' groups and the documents' unit TF-IDF rows (a sparse
    matrix) instead. One vocabulary and idf for all; each language's topics are fitted on its own
    documents (a topic in three languages shares no words, so a joint fit spends its topics on
    telling languages apart), their number chosen by `choose_k`, then joined across languages."""
    from helpdesk.services.topics import languages as across

    vectorizer, matrix = _vectorize(documents)
    matrix = matrix.tocsr()
    words = list(vectorizer.get_feature_names_out())
    parts = across.partition(list(languages) if languages is not None else [""] * len(documents))
    rng = np.random.default_rng(seed)
    blocks, row_languages = [], []
    for language, rows in sorted(parts.items()):
        part = matrix[rows]
        columns = np.unique(part.indices)  # the language's own words (and the few it shares)
        part = part[:, columns]
        k = choose_k(part, max(1, min(n_topics, len(columns), len(rows))), seed=seed)
        nmf = _nmf(k, seed)
        share = max(1, round(FIT_SAMPLE * len(rows) / len(documents)))
        # The topics of a random sample; every ticket is scored against them.
        nmf.fit(part[np.sort(rng.choice(len(rows), share, replace=False))] if len(rows) > share else part)
        block = np.zeros((nmf.components_.shape[0], len(words)), dtype=np.float32)
        block[:, columns] = nmf.components_
        blocks.append(block)
        row_languages += [language] * block.shape[0]
    components = np.vstack(blocks)
    norms = np.linalg.norm(components, axis=1, keepdims=True)
    components = np.divide(components, norms, out=np.zeros_like(components), where=norms > 0)
    fitted = Fitted(words, vectorizer.idf_.astype(np.float32), components)
    groups = across.join([fitted.top_terms(row) for row in range(fitted.size)], row_languages)
    return fitted, groups, matrix
