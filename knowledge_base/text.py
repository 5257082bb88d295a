"""Text handling both search engines share: words, CJK spacing, accents, trigrams, language guess."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Han, kana and CJK punctuation-free ranges: written without spaces, so each character is a token.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_CHAR = re.compile(f"[{_CJK}]")
# Spaced apart too (so snippets join them again), though no engine indexes punctuation.
_CJK_PUNCTUATION = "\u3000-\u303f\uff00-\uffef"
_SPACED = re.compile(f"[{_CJK}{_CJK_PUNCTUATION}]")
_CJK_RUN = re.compile(f"[{_CJK}]+")
_WORD_OR_CJK = re.compile(f"[{_CJK}]+|[^\\W_{_CJK}]+")
_WORD = re.compile(f"[^\\W_{_CJK}]+")
# Highlight markers the engines put around matches; stripped from indexed text so they stay unique.
MARK_START, MARK_END = "\x02", "\x03"
_MARKERS = re.compile("[\x02\x03]")
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK}{_CJK_PUNCTUATION}])([\x03]?) +([\x02]?)(?=[{_CJK}{_CJK_PUNCTUATION}])")

STOPWORDS = {
    "en": set("a an and are as at be but by can do does for from have how i if in is it its me my no not of on or "
              "please so that the their there this to was we what when where which who why will with you your "
              "hello hi thanks thank regards dear".split()),
    "es": set("a al algo como con de del el ella en es esta este hay la las lo los mi mis muy no o para pero por "
              "que se sin su sus te tengo un una y ya yo hola gracias saludos favor".split()),
    # Chinese: characters that glue sentences together; a two-character piece with one says little.
    "zh": set("的 了 是 我 你 您 他 她 们 在 和 与 或 请 吗 呢 吧 啊 也 都 就 还 又 很 这 那 有 没 不 要 会 能 可 以 "
              "如 何 怎 么 无 法 一 个 到 把 被 让 给 谢".split()),
}


def space_cjk(text: str) -> str:
    """`text` with a space on each side of every CJK character (one token per character for both engines)."""
    return _MARKERS.sub("", _SPACED.sub(r" \g<0> ", text or "")).replace("  ", " ").strip()


def strip_markers(text: str) -> str:
    """`text` without the characters that mark highlights (so they never come from an article)."""
    if not text or (MARK_START not in text and MARK_END not in text):  # nearly always: no regex pass
        return text or ""
    return _MARKERS.sub("", text)


def unspace_cjk(text: str) -> str:
    """Undo `space_cjk` in a highlighted snippet: join CJK characters again, merging adjacent highlights."""
    return _SPACE_BETWEEN_CJK.sub(r"\1\2", text).replace(MARK_END + MARK_START, "")


def fold_text(text: str) -> str:
    """Lower case without accents: the form the vocabulary keeps (contraseña -> contrasena)."""
    if text.isascii():  # nothing to decompose (a search page folds whole message bodies)
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=100_000)
def fold(word: str) -> str:
    """`fold_text` of one word, remembered (words repeat; whole texts go to `fold_text`)."""
    return fold_text(word)


def tokens(text: str) -> list[str]:
    """Words and CJK runs of `text`, in order ("重置密码 now" -> ["重置密码", "now"])."""
    return _WORD_OR_CJK.findall(text or "")


def is_cjk(token: str) -> bool:
    return bool(CJK_CHAR.match(token))


def vocabulary(text: str) -> set[str]:
    """The distinct folded words of `text` worth correcting typos towards (3 to 40 letters, not numbers)."""
    return {fold(w) for w in set(_WORD.findall(text or "")) if 3 <= len(w) <= 40 and not w.isdigit()}


def trigrams(word: str) -> set[str]:
    """pg_trgm's trigrams of one word: padded with two spaces in front and one behind."""
    padded = f"  {fold(word)} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity: shared trigrams over all trigrams of both words (0..1)."""
    ta, tb = trigrams(a), trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0


def guess_language(text: str, default: str = "en") -> str:
    """A rough language of a customer's message: zh for Chinese characters, es or en by common words."""
    return language_of(text, [fold(t) for t in tokens(text) if not is_cjk(t)], len(CJK_CHAR.findall(text or "")),
                       default)


def language_of(text: str, words: list[str], cjk_characters: int, default: str = "en") -> str:
    """`guess_language` for a caller that has split `text` already: its folded non-CJK `words` and
    how many CJK characters it has."""
    if cjk_characters >= 2:
        return "zh"
    scores = {lang: sum(w in stop for w in words) for lang, stop in STOPWORDS.items()}
    if "ñ" in (text or "").lower() or "¿" in (text or ""):
        scores["es"] += 2
    best = max(scores, key=scores.get)
    return best if scores[best] > 0 else default


def cjk_bigrams(run: str) -> list[str]:
    """Overlapping two-character pieces of a CJK run (a long sentence as pieces a phrase query can find)."""
    return [run] if len(run) <= 2 else [run[i:i + 2] for i in range(len(run) - 1)]


def cjk_grams(text: str) -> str:
    """The overlapping two-character pieces of every CJK run in `text`, space separated
    ("如何重置密码 now" -> "如何 何重 重置 置密 密码"); a lone character stays as it is."""
    if not text or text.isascii():  # no CJK to look for (most tickets: the scan was a tenth of a drain's Python)
        return ""
    return " ".join(piece for run in _CJK_RUN.findall(text or "") for piece in cjk_bigrams(run))


_EDGE_PUNCTUATION = ".,;:!?()[]\"'«»¿¡"


def _matches(word: str, terms: list[str]) -> bool:
    # A word the engine's stemmer would have matched: same start either way ("passw" marks
    # "passwords", "resetting" marks "reset").
    return any(word.startswith(t) or (len(word) >= 4 and t.startswith(word)) for t in terms)


def _may_match(parts: list[str], terms: list[str]) -> bool:
    # Every word `_matches` accepts contains a term's first four letters (or the whole of a
    # shorter term), so a text without any of them is not folded word by word (most of a
    # search page's time went there).
    joined = " ".join(parts)
    # Folded part by part when accented: the parts' folds are remembered (`fold`), so a page of
    # tickets does not decompose the same message text again for every search.
    folded = joined.lower() if joined.isascii() else " ".join(map(fold, parts))
    return any(t[:4] in folded for t in terms)


def _part_matches(part: str, words: list[str]) -> bool:
    # A word inside punctuation or markup a customer typed ("<b>where</b>") is found too.
    folded = fold(part).strip(_EDGE_PUNCTUATION)
    return any(_matches(w, words) for w in _WORD.findall(folded))


def _phrase_hits(parts: list[str], words: list[str], phrases: list[str]) -> list[bool]:
    folded = [fold(p).strip(_EDGE_PUNCTUATION) for p in parts]
    hits = [any(_matches(w, words) for w in _WORD.findall(f)) for f in folded]
    for phrase in phrases:
        n = len(phrase)
        for i in range(len(parts) - n + 1):
            if "".join(folded[i:i + n]) == phrase:
                hits[i:i + n] = [True] * n
    return hits


def snippet(text: str, words: list[str], phrases: list[str], size: int = 24) -> str:
    """A window of `size` words of `text` around the first match, matches between highlight markers.

    `words` are folded query words; `phrases` are CJK runs, matched character by character.
    """
    parts = space_cjk(text).split()
    if phrases:
        hits = _phrase_hits(parts, words, phrases)
        first, hit = (hits.index(True) if True in hits else 0), hits.__getitem__
    elif _may_match(parts, words):
        # Words only: the parts up to the first match and those in the window are tested, not a
        # whole ticket's messages (most of a search page's time went there).
        first = next((i for i, p in enumerate(parts) if _part_matches(p, words)), 0)
        hit = lambda i: _part_matches(parts[i], words)  # noqa: E731
    else:
        first, hit = 0, lambda i: False  # noqa: E731
    start = max(0, first - size // 4)
    end = min(len(parts), start + size)
    shown = [f"{MARK_START}{p}{MARK_END}" if hit(i) else p for i, p in enumerate(parts[start:end], start)]
    return ("… " if start else "") + " ".join(shown) + (" …" if end < len(parts) else "")
