"""Knowledge-base models (imported by `knowledge_base.init_app`, so Alembic sees them)."""

from knowledge_base.models.activity import KbDeflection, KbSearch, KbSent, KbView, KbVote
from knowledge_base.models.content import (
    STATUSES,
    VISIBILITIES,
    KbArticle,
    KbAttachment,
    KbCategory,
    KbEditor,
    KbRevision,
    KbTranslation,
    article_links,
)
from knowledge_base.models.index import KbSearchDoc, KbSearchTerm

__all__ = [
    "STATUSES", "VISIBILITIES", "KbArticle", "KbAttachment", "KbCategory", "KbDeflection", "KbEditor", "KbRevision",
    "KbSearch", "KbSearchDoc", "KbSearchTerm", "KbSent", "KbTranslation", "KbView", "KbVote", "article_links",
]
