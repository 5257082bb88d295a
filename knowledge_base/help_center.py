"""The public help center (/help/<language>/...): home, categories, articles, search, votes, files,
and the JSON suggestions the contact form and the chat widget call as the customer types."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from sqlalchemy import select

from helpdesk.extensions import db, limiter
from helpdesk.services.attachments import path_for
from helpdesk.services.webchat import widgets as webchat_widgets
from knowledge_base import activity, languages, public, search
from knowledge_base.models import KbArticle, KbAttachment, KbCategory

bp = Blueprint("help", __name__, url_prefix="/help", template_folder="templates")
SOURCES = {"portal", "widget", "help"}


@bp.url_value_preprocessor
def _language(_endpoint, values):
    if values and "lang" in values:
        if values["lang"] not in languages.CONTENT_LANGUAGES:
            abort(404)
        g.kb_language = g.page_language = values["lang"]  # the page's words follow it (helpdesk.i18n)


@bp.context_processor
def _globals():
    return {"lang": g.get("kb_language", "en"), "LANGUAGES": languages.CONTENT_LANGUAGES}


def visitor() -> str:
    """This browser's self-service id (kept in the session), or the one a suggestion link carried."""
    carried = activity.valid_visitor(request.args.get("v"))
    if carried:
        return carried
    if not activity.valid_visitor(session.get("kb_visitor")):
        session["kb_visitor"] = activity.new_visitor()
    return session["kb_visitor"]


def browser_language() -> str:
    """The content language that best matches the browser's Accept-Language."""
    return languages.pick(request.accept_languages)


@bp.route("/")
def index():
    """Send the visitor to the help center in their browser's language."""
    return redirect(url_for("help.home", lang=languages.pick(request.accept_languages)))


@bp.route("/<lang>/")
def home(lang: str):
    return render_template("help/home.html", tree=public.category_tree(lang), popular=public.popular(lang))


@bp.route("/<lang>/categories/<slug>")
def category(lang: str, slug: str):
    found = db.session.scalar(select(KbCategory).where(KbCategory.slug == slug)) or abort(404)
    children = [c for c, _ in public.category_tree(lang) if c.parent_id == found.id]
    return render_template("help/category.html", category=found, children=children,
                           articles=public.in_category(found.id, lang))


@bp.route("/<lang>/articles/<int:article_id>")
@bp.route("/<lang>/articles/<int:article_id>-<path:slug>")
def article(lang: str, article_id: int, slug: str | None = None):
    """An article in the visitor's language (or its default language, saying so); old slugs redirect."""
    found = public.public_article(article_id) or abort(404)
    shown = public.localised(found, lang) or abort(404)
    if slug != shown.translation.slug and not shown.fallback:
        return redirect(url_for("help.article", lang=lang, article_id=article_id, slug=shown.translation.slug,
                                **request.args), 301)
    source = request.args.get("src") if request.args.get("src") in SOURCES else "help"
    activity.record_view(found, language=shown.translation.language, source=source, visitor=visitor())
    related = [s for s in (public.localised(a, lang) for a in found.related if a.is_public) if s]
    return render_template("help/article.html", shown=shown, related=related, voted=request.args.get("voted"))


@bp.route("/<lang>/articles/<int:article_id>/vote", methods=["POST"])
@limiter.limit("30 per minute")
def vote(lang: str, article_id: int):
    """Was this helpful? yes/no with an optional comment."""
    found = public.public_article(article_id) or abort(404)
    helpful = request.form.get("helpful") == "yes"
    activity.vote(found, language=lang, visitor=visitor(), helpful=helpful, comment=request.form.get("comment", ""))
    return redirect(url_for("help.article", lang=lang, article_id=article_id, voted="yes" if helpful else "no",
                            _anchor="vote"), 303)


@bp.route("/<lang>/search")
def search_page(lang: str):
    query = request.args.get("q", "").strip()[:200]
    category_id = request.args.get("category", type=int)
    result = search.search(query, language=lang, category_id=category_id, as_you_type=False, limit=20) \
        if query else None
    if result is not None:
        activity.record_search(query, language=lang, source="help", results=len(result.hits), visitor=visitor())
    return render_template("help/search.html", query=query, result=result, category_id=category_id,
                           categories=public.category_tree(lang))


@bp.route("/files/<int:attachment_id>/<path:name>")
def file(attachment_id: int, name: str):
    """An article's image or file, for anyone who may read the article (staff for internal ones)."""
    from flask_login import current_user

    row = db.session.get(KbAttachment, attachment_id) or abort(404)
    owner = db.session.get(KbArticle, row.article_id)
    if not (owner.is_public or current_user.is_authenticated):
        abort(404)
    inline = row.content_type.startswith("image/") and row.content_type != "image/svg+xml"
    return send_file(path_for(row.storage_key), mimetype=row.content_type, as_attachment=not inline,
                     download_name=row.filename, max_age=3600)


def _cors(response):
    """Allow the chat widget's sites (HELPDESK_SOCKET_ORIGINS and the origins active widgets may be
    embedded on) and our own origin; nobody else."""
    origin = request.headers.get("Origin")
    if origin and (origin in (current_app.config.get("HELPDESK_SOCKET_ORIGINS") or [])
                   or origin in webchat_widgets.embedding_origins()):
        response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Vary"] = "Origin"
    return response


@bp.route("/api/suggest")
@limiter.limit("120 per minute")
def suggest():
    """Articles for what the customer is typing: `q`, `lang`, `visitor`, `source` (portal or widget)."""
    query = request.args.get("q", "").strip()[:200]
    lang = languages.normalise(request.args.get("lang")) or languages.pick(request.accept_languages)
    source = request.args.get("source") if request.args.get("source") in SOURCES else "portal"
    who = activity.valid_visitor(request.args.get("visitor"))
    limit = min(max(request.args.get("limit", 5, type=int), 1), 8)
    result = search.search(query, language=lang, limit=limit) if len(query) >= 2 else search.SearchResult(query)
    if not result.hits and len(query) >= 2:  # nothing in the visitor's language: say so and look in all
        result = search.search(query, language=None, limit=limit)
    if who and len(query) >= 3:
        activity.record_search(query, language=lang, source=source, results=len(result.hits), visitor=who)
    items = [{"id": h.article_id, "title": h.title, "language": h.language, "summary": h.summary,
              "snippet_html": str(h.snippet), "url": url_for("help.article", lang=h.language, article_id=h.article_id,
                                                             slug=h.slug, v=who, src=source, _external=True)}
             for h in result.hits]
    return _cors(jsonify(query=query, language=lang, corrected=result.corrected, items=items))
