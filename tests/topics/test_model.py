"""Fitting without the database: how many topics a language holds, and joining one topic's
versions in several languages."""

from __future__ import annotations

from collections import defaultdict

from helpdesk.services.topics import languages, model, text
from tests.topics.conftest import CORPUS


def tickets(copies: int = 2) -> list[tuple[str, str, str, str]]:
    """Every subject of a (topic, language) with every body of it, `copies` times: tickets that
    vary within a topic as real ones do (the same three texts over and over are three topics)."""
    return [(subject, body, topic, language)
            for _ in range(copies) for (topic, language), phrasings in CORPUS.items()
            for subject, _ in phrasings for _, body in phrasings]


def test_the_number_of_topics_is_chosen_by_the_data_not_the_setting():
    rows = [r for r in tickets() if r[3] == "en"]  # 3 topics, 54 tickets
    _vectorizer, matrix = model._vectorize([text.document(s, b) for s, b, _, _ in rows])
    assert model.choose_k(matrix.tocsr(), 9) == 3
    assert model.choose_k(matrix.tocsr(), 2) == 2  # never more than asked


def test_each_language_gets_its_own_topics_and_every_ticket_lands_with_its_own_kind():
    rows = tickets()  # 54 tickets per language: each is fitted on its own
    documents = [text.document(s, b) for s, b, _, _ in rows]
    found_languages = [text.language(s, b) for s, b, _, _ in rows]
    assert found_languages == [r[3] for r in rows]
    fitted, groups, found = model.fit(documents, 9, languages=found_languages)
    assert fitted.size == len(CORPUS)  # 3 topics in each of 3 languages, not 9 in each
    by_group = defaultdict(set)
    for (_s, _b, topic, _language), row in zip(rows, found, strict=True):
        by_group[groups[row]].add(topic)
    assert all(len(topics) == 1 for topics in by_group.values()), by_group  # no group mixes two topics


def test_versions_of_a_topic_that_share_names_or_roots_are_joined_and_others_stay_apart():
    rows = [
        ({"api": 0.6, "webhook": 0.5, "errors": 0.4, "integration": 0.3}, "en"),
        ({"password": 0.7, "login": 0.5, "reset": 0.4}, "en"),
        ({"cancel": 0.6, "subscription": 0.5, "plan": 0.4, "automatic": 0.3}, "en"),
        ({"api": 0.5, "webhook": 0.5, "errores": 0.4, "integracion": 0.3}, "es"),
        ({"contrasena": 0.7, "sesion": 0.5, "restablecer": 0.4}, "es"),
        ({"cancelar": 0.6, "suscripcion": 0.5, "plan": 0.4, "automatica": 0.3}, "es"),
        ({"接口": 0.7, "webhook": 0.4, "超时": 0.3}, "zh"),
        ({"密码": 0.7, "登录": 0.5, "重置": 0.4}, "zh"),
    ]
    groups = languages.join([terms for terms, _ in rows], [language for _, language in rows])
    api, password, cancel = groups[0], groups[1], groups[2]
    assert groups[3] == groups[6] == api  # the same names in all three
    assert groups[5] == cancel  # cancel / cancelar, subscription / suscripcion
    assert len({password, groups[4], groups[7]}) == 3  # nothing shared: one topic per language
    assert len({api, password, cancel}) == 3


def test_a_language_with_few_tickets_is_modelled_with_the_others():
    assert languages.partition(["en"] * 40 + ["es"] * 5) == {"en": list(range(40)), "": list(range(40, 45))}
    assert languages.partition(["en"] * 3 + ["zh"] * 2) == {"": list(range(5))}
