"""REST API for the knowledge base (/api/v1/kb): articles (list, search, get, create, update,
publish, archive) and categories. Every staff token reads everything, internal articles included;
writing needs the editor capability (403 otherwise)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import abort
from sqlalchemy import select

from helpdesk.api.auth import ProtectedBlueprint, current_staff
from helpdesk.api.errors import fail
from helpdesk.extensions import db
from knowledge_base import articles, permissions, search
from knowledge_base.api_schemas import (
    KbArticleChangesSchema,
    KbArticlePageSchema,
    KbArticleQuerySchema,
    KbArticleSchema,
    KbCategorySchema,
    KbNewArticleSchema,
    KbSearchQuerySchema,
    KbSearchResultSchema,
)
from knowledge_base.models import KbArticle, KbCategory, KbTranslation

blp = ProtectedBlueprint("api-kb", __name__, url_prefix="/api/v1/kb", description=(
    "Knowledge-base articles and categories. Writing needs the editor capability."))


def _editor() -> None:
    if not permissions.is_editor(current_staff()):
        abort(403, message="writing articles needs the knowledge-base editor capability")


def _article(article_id: int) -> KbArticle:
    article = db.session.get(KbArticle, article_id) if 0 < article_id < 2**31 else None
    if article is None:
        abort(404, message=f"no article {article_id}")
    return article


def _settings(data: dict, article: KbArticle | None = None) -> dict:
    def current(name, default):
        return data[name] if name in data else (getattr(article, name) if article else default)

    related = data["related_ids"] if "related_ids" in data else [r.id for r in article.related] if article else []
    return {"category_id": current("category_id", None), "visibility": current("visibility", "public"),
            "tags": current("tags", []), "related_ids": related}


def _service(call):
    try:
        return call()
    except articles.ArticleError as exc:
        fail(422, "json", exc.field, exc.message)


@blp.route("/articles")
class Articles(MethodView):
    @blp.arguments(KbArticleQuerySchema, location="query")
    @blp.response(200, KbArticlePageSchema)
    def get(self, args: dict):
        """List articles

        Newest first; follow `next_cursor` until it is null.
        """
        query = select(KbArticle).order_by(KbArticle.id.desc()).limit(args["limit"] + 1)
        for name in ("status", "visibility", "category_id"):
            if args.get(name) is not None:
                query = query.where(getattr(KbArticle, name) == args[name])
        if args.get("language"):
            query = query.where(KbArticle.translations.any(KbTranslation.language == args["language"]))
        if args.get("cursor"):
            if not args["cursor"].isdigit():
                fail(422, "query", "cursor", "is not a cursor this API gave")
            query = query.where(KbArticle.id < int(args["cursor"]))
        items = list(db.session.scalars(query))
        more = len(items) > args["limit"]
        items = items[:args["limit"]]
        return {"items": items, "next_cursor": str(items[-1].id) if more else None}

    @blp.arguments(KbNewArticleSchema)
    @blp.response(201, KbArticleSchema)
    def post(self, data: dict):
        """Create an article (a draft unless `publish` is true)"""
        _editor()
        article = _service(lambda: articles.create_article(
            current_staff(), language=data["language"], title=data["title"], body_md=data["body_md"],
            summary=data["summary"], slug=data.get("slug"), **_settings(data)))
        if data["publish"]:
            _service(lambda: articles.set_status(article, "published"))
        return article


@blp.route("/articles/search")
class ArticleSearch(MethodView):
    @blp.arguments(KbSearchQuerySchema, location="query")
    @blp.response(200, KbSearchResultSchema)
    def get(self, args: dict):
        """Search published articles

        Ranked full-text search with highlighted snippets, prefix matching and typo tolerance.
        """
        visibility = ("public", "internal") if args["visibility"] == "all" else (args["visibility"],)
        return search.search(args["q"], language=args.get("language"), visibility=visibility,
                             category_id=args.get("category_id"), limit=args["limit"], as_you_type=False)


@blp.route("/articles/<int:article_id>")
class ArticleItem(MethodView):
    @blp.response(200, KbArticleSchema)
    def get(self, article_id: int):
        """Read an article with all its translations"""
        return _article(article_id)

    @blp.arguments(KbArticleChangesSchema)
    @blp.response(200, KbArticleSchema)
    def patch(self, data: dict, article_id: int):
        """Change an article's settings and/or one translation (every text change keeps a revision)"""
        _editor()
        article = _article(article_id)
        if "translation" in data:
            t = data["translation"]
            _service(lambda: articles.save_translation(
                article, current_staff(), language=t["language"], title=t["title"], body_md=t["body_md"],
                summary=t["summary"], slug=t.get("slug"), note=t["note"]))
        _service(lambda: articles.update_settings(article, default_language=data.get("default_language"),
                                                  **_settings(data, article)))
        return article


def _status_route(status: str, summary: str):
    def view(article_id: int):
        _editor()
        return _service(lambda: articles.set_status(_article(article_id), status))

    view.__name__ = f"article_{status}"
    view.__doc__ = summary
    return view


for _action, _status, _summary in (("publish", "published", "Publish an article"),
                                   ("archive", "archived", "Archive an article (it leaves the help center)")):
    blp.route(f"/articles/<int:article_id>/{_action}", methods=["POST"])(
        blp.response(200, KbArticleSchema)(_status_route(_status, _summary)))


@blp.route("/categories")
class Categories(MethodView):
    @blp.response(200, KbCategorySchema(many=True))
    def get(self):
        """List categories"""
        return list(db.session.scalars(select(KbCategory).order_by(KbCategory.position, KbCategory.slug)))

    @blp.arguments(KbCategorySchema)
    @blp.response(201, KbCategorySchema)
    def post(self, data: dict):
        """Create a category"""
        _editor()
        return _save_category(KbCategory(), data)


@blp.route("/categories/<int:category_id>")
class CategoryItem(MethodView):
    @blp.arguments(KbCategorySchema)
    @blp.response(200, KbCategorySchema)
    def patch(self, data: dict, category_id: int):
        """Change a category"""
        _editor()
        category = db.session.get(KbCategory, category_id) if 0 < category_id < 2**31 else None
        if category is None:
            abort(404, message=f"no category {category_id}")
        return _save_category(category, data)


def _save_category(category: KbCategory, data: dict) -> KbCategory:
    names = data.get("names", category.names or {})
    if not names.get("en"):
        fail(422, "json", "names", "needs an English name (en)")
    slug = articles.slugify(data.get("slug") or category.slug or names["en"])
    if db.session.scalar(select(KbCategory.id).where(KbCategory.slug == slug, KbCategory.id != category.id)):
        fail(409, "json", "slug", "another category has it")
    parent_id = data.get("parent_id", category.parent_id)
    if parent_id is not None and (parent_id == category.id or db.session.get(KbCategory, parent_id) is None):
        fail(422, "json", "parent_id", "must be another existing category")
    category.slug, category.names, category.parent_id = slug, names, parent_id
    category.descriptions = data.get("descriptions", category.descriptions or {})
    category.position = data.get("position", category.position or 0)
    db.session.add(category)
    db.session.commit()
    return category


def init_app(app) -> None:
    """Register the blueprint on the application's flask-smorest Api (made by helpdesk.api)."""
    from helpdesk.extensions import csrf

    apis = app.extensions.get("flask-smorest", {}).get("blp_name_to_api", {})
    api = next(iter(apis.values()), None)
    if api is None:
        return
    csrf.exempt(blp)
    api.register_blueprint(blp)
