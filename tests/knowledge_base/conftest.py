"""Knowledge-base fixtures: an editor and a helper that writes (and publishes) articles."""

from __future__ import annotations

import pytest


@pytest.fixture
def editor(make_user):
    """An admin: admins are editors without being granted the capability."""
    return make_user(role="admin")


@pytest.fixture
def write(app, editor):
    """write(title, body, language="en", publish=True, **settings) -> KbArticle through the real service."""
    from knowledge_base import articles

    def make(title: str, body: str = "", language: str = "en", publish: bool = True, **settings):
        article = articles.create_article(editor, language=language, title=title, body_md=body, **settings)
        if publish:
            articles.set_status(article, "published")
        return article

    return make
