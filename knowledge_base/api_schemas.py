"""Request and response shapes of the knowledge-base REST API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from helpdesk.api.schemas import body_id, page_cursor, page_limit, query_id
from knowledge_base.articles import LIMITS
from knowledge_base.languages import CONTENT_LANGUAGES
from knowledge_base.models import STATUSES, VISIBILITIES

LANGUAGE = validate.OneOf(list(CONTENT_LANGUAGES))


class KbTranslationSchema(Schema):
    """An article's text in one language; `body_html` is the Markdown rendered and sanitised."""

    language = fields.String(required=True, validate=LANGUAGE)
    title = fields.String(required=True, validate=validate.Length(1, LIMITS["title"]))
    slug = fields.String(validate=validate.Length(max=LIMITS["slug"]),
                         metadata={"description": "Made from the title when omitted."})
    summary = fields.String(load_default="", validate=validate.Length(max=LIMITS["summary"]))
    body_md = fields.String(load_default="", validate=validate.Length(max=LIMITS["body_md"]))
    body_html = fields.String(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    note = fields.String(load_only=True, load_default="", validate=validate.Length(max=255),
                         metadata={"description": "Kept with the revision this change makes."})


class KbSettingsFields(Schema):
    category_id = body_id(allow_none=True)
    visibility = fields.String(validate=validate.OneOf(VISIBILITIES))
    tags = fields.List(fields.String(validate=validate.Length(1, 40)), validate=validate.Length(max=20))
    related_ids = fields.List(body_id(), validate=validate.Length(max=50))


class KbArticleSchema(KbSettingsFields):
    """An article with every translation."""

    id = fields.Integer()
    status = fields.String()
    default_language = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)
    translations = fields.List(fields.Nested(KbTranslationSchema))
    related_ids = fields.Function(lambda a: [r.id for r in a.related])
    url = fields.Function(lambda a: f"/help/{a.default_language}/articles/{a.id}" if a.is_public else None)


class KbNewArticleSchema(KbTranslationSchema, KbSettingsFields):
    """A new article: its first translation, its settings, and whether to publish it at once."""

    publish = fields.Boolean(load_default=False)


class KbArticleChangesSchema(KbSettingsFields):
    """Changes to an article: settings, and/or the text of one translation (added when new)."""

    default_language = fields.String(validate=LANGUAGE)
    translation = fields.Nested(KbTranslationSchema)


class KbArticleQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    visibility = fields.String(validate=validate.OneOf(VISIBILITIES))
    language = fields.String(validate=LANGUAGE, metadata={"description": "Articles that have this translation."})
    category_id = query_id()
    cursor = page_cursor()
    limit = page_limit()


class KbArticlePageSchema(Schema):
    items = fields.List(fields.Nested(KbArticleSchema))
    next_cursor = fields.String(allow_none=True)


class KbSearchQuerySchema(Schema):
    q = fields.String(required=True, validate=validate.Length(1, 200))
    language = fields.String(validate=LANGUAGE)
    category_id = query_id(metadata={"description": "This category and the ones nested in it."})
    visibility = fields.String(load_default="all", validate=validate.OneOf(["public", "internal", "all"]))
    limit = fields.Integer(load_default=10, validate=validate.Range(1, 50))


class KbHitSchema(Schema):
    article_id = fields.Integer()
    language = fields.String()
    title = fields.String()
    slug = fields.String()
    summary = fields.String()
    visibility = fields.String()
    score = fields.Float()
    snippet = fields.Function(lambda h: str(h.snippet),
                              metadata={"description": "Escaped HTML; matches are in <mark> elements."})


class KbSearchResultSchema(Schema):
    query = fields.String()
    corrected = fields.String(allow_none=True, metadata={"description": "The query after correcting typos."})
    mode = fields.String(metadata={"description": "`all` words matched, or `any` word when all found nothing."})
    hits = fields.List(fields.Nested(KbHitSchema))


class KbCategorySchema(Schema):
    """A category; `names` maps a language code to its name in that language (English required)."""

    id = fields.Integer(dump_only=True)
    parent_id = body_id(allow_none=True)
    slug = fields.String(validate=validate.Length(1, 120))
    names = fields.Dict(keys=fields.String(validate=LANGUAGE), values=fields.String(validate=validate.Length(1, 120)))
    descriptions = fields.Dict(keys=fields.String(validate=LANGUAGE),
                               values=fields.String(validate=validate.Length(max=500)))
    position = fields.Integer(load_default=0)
