"""The words a topic model reads from a ticket: its subject and its first customer message.

Latin-script words are folded (lower case, no accents) like the knowledge base's search does;
Chinese runs are cut into words with jieba (loaded on first use: a process that never sees Chinese
never loads its dictionary). Stop words of the served languages, numbers, single letters and
single Chinese characters are dropped: they say nothing about what a ticket is about.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache

from knowledge_base.text import STOPWORDS, fold, is_cjk, language_of, tokens

_CJK_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# Words of greeting, politeness and tickets in general: present in every topic, part of none.
EXTRA_STOPWORDS = {
    "en": set("am been being did didn doesn hasn haven isn wasn weren yet days week weeks ago get got had has im ive just like need our out since some still there they this "
              "those up us very would could should also any all been cannot cant dont doesnt isnt wont one two "
              "again today yesterday morning help support issue problem question ticket team best kind".split()),
    "es": set("alguien ayuda ayudar buenas buenos dias desde estoy favor hace han has he me mucho nos nuestro "
              "nuestra otra otro pero puede pueden puedo qué sigue tambien también todavia todo tras cuando "
              "donde esta estan están era fue ser son hoy ayer problema pregunta equipo le les".split()),
    "zh": set("我们 你们 您好 你好 谢谢 请问 一下 现在 已经 还是 但是 因为 所以 没有 可以 什么 怎么 如何 "
              "为什么 这个 那个 问题 帮助 帮忙 今天 昨天 一直 还有 然后 就是 不是 能否 是否 麻烦 非常".split()),
}
STOP = {fold(w) for words in (*STOPWORDS.values(), *EXTRA_STOPWORDS.values()) for w in words}
_lock = threading.Lock()
_jieba = None


def _segmenter():
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)  # its start-up banner is not ours to print
                jieba.initialize()
                _jieba = jieba
    return _jieba


@lru_cache(maxsize=50_000)
def chinese_words(run: str) -> tuple[str, ...]:
    """The words of a run of Chinese characters ("无法登录账户" -> ("无法", "登录", "账户")).
    Cached: subjects and short phrases come back often, and segmenting is most of a refit's
    reading time for Chinese tickets."""
    return tuple(_segmenter().lcut(run, HMM=False))


def analyse(subject: str, body: str) -> tuple[list[str], str]:
    """(`words`, `language`) of a ticket, from one pass over its text (a refit reads 200,000)."""
    out: list[str] = []
    folded: list[str] = []
    cjk = 0
    text = f"{subject or ''}\n{subject or ''}\n{(body or '')[:2000]}"
    for token in tokens(text):
        if is_cjk(token):
            cjk += len(token)
            if _CJK_RUN.match(token):
                out.extend(w for w in chinese_words(token) if len(w) > 1 and w not in STOP)
            continue
        word = fold(token)
        folded.append(word)
        if len(word) > 1 and not word.isdigit() and word not in STOP and not any(c.isdigit() for c in word[:1]):
            out.append(word)
    return out, language_of(text, folded, cjk)


def words(subject: str, body: str) -> list[str]:
    """The words of a ticket worth modelling, in order; the subject counts twice (it names the
    topic more often than the body does)."""
    return analyse(subject, body)[0]


def language(subject: str, body: str) -> str:
    """The ticket's language as the model groups it (en, es, zh...: knowledge_base.text.guess_language
    on what `words` reads). A refit finds each language's topics apart, then joins those that are
    the same topic in another language (model.fit_matrix)."""
    return analyse(subject, body)[1]


def document(subject: str, body: str) -> str:
    """`words` joined by spaces: what the vectorizer reads (it splits on spaces only)."""
    return " ".join(words(subject, body))
