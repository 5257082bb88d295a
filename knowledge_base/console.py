"""The knowledge base in the agent console (/kb): reading for every agent; writing, publishing,
files and preview for editors; suggestions and insertion for the ticket page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from channels.base import Attachment as IncomingFile
from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.services import attachments as files
from helpdesk.web.common import get_or_404, ticket_or_404
from knowledge_base import articles, permissions, public, suggestions
from knowledge_base.languages import CONTENT_LANGUAGES
from knowledge_base.markdown import render
from knowledge_base.models import STATUSES, KbArticle, KbAttachment, KbTranslation

bp = Blueprint("kb", __name__, url_prefix="/kb", template_folder="templates")
PAGE = 50


@bp.before_request
@login_required
def _staff_only():
    """Every page here is for signed-in staff."""


@bp.context_processor
def _globals():
    return {"is_editor": permissions.is_editor(current_user), "LANGUAGES": CONTENT_LANGUAGES, "STATUSES": STATUSES}


def editors_only() -> None:
    if not permissions.is_editor(current_user):
        abort(404)


@bp.route("/")
def article_list():
    """Articles of every status and visibility, newest change first; filter by text, status, language."""
    q, status, language = request.args.get("q", "").strip()[:200], request.args.get("status"), request.args.get("lang")
    query = select(KbArticle).order_by(KbArticle.updated_at.desc()).limit(PAGE)
    if status in STATUSES:
        query = query.where(KbArticle.status == status)
    if language in CONTENT_LANGUAGES:
        query = query.where(KbArticle.translations.any(KbTranslation.language == language))
    if q:
        query = query.where(KbArticle.translations.any(or_(KbTranslation.title.ilike(f"%{q}%"),
                                                            KbTranslation.slug.ilike(f"%{q}%"))))
    return render_template("kb/list.html", items=list(db.session.scalars(query)), q=q, status=status, lang=language)


@bp.route("/articles/<int:article_id>")
def show(article_id: int):
    article = get_or_404(KbArticle, article_id)
    language = request.args.get("lang") or article.default_language
    shown = public.localised(article, language) or abort(404)
    return render_template("kb/show.html", article=article, shown=shown)


def _settings_from_form() -> dict:
    category = request.form.get("category_id", type=int)
    return {"category_id": category or None, "visibility": request.form.get("visibility", "public"),
            "tags": [t for t in request.form.get("tags", "").split(",") if t.strip()],
            "related_ids": [int(i) for i in request.form.getlist("related") if i.isdigit()]}


@bp.route("/articles/new", methods=["GET", "POST"])
def new():
    editors_only()
    values = request.form if request.method == "POST" else {}
    if request.method == "POST":
        try:
            article = articles.create_article(
                current_user, language=request.form.get("language", "en"), title=request.form.get("title", ""),
                body_md=request.form.get("body_md", ""), summary=request.form.get("summary", ""),
                slug=request.form.get("slug") or None, **_settings_from_form())
        except articles.ArticleError as exc:
            db.session.rollback()
            flash(_("%(field)s: %(message)s", field=exc.field, message=exc.message), "error")
        else:
            if request.form.get("publish"):
                articles.set_status(article, "published")
            return redirect(url_for("kb.edit", article_id=article.id, lang=article.default_language))
    return render_template("kb/edit.html", article=None, translation=None, source=None, values=values,
                           language=request.args.get("lang", "en"), categories=public.category_tree("en"),
                           candidates=_related_candidates(None))


def _related_candidates(article: KbArticle | None) -> list[KbArticle]:
    query = select(KbArticle).where(KbArticle.status != "archived").order_by(KbArticle.updated_at.desc()).limit(200)
    return [a for a in db.session.scalars(query) if article is None or a.id != article.id]


@bp.route("/articles/<int:article_id>/edit", methods=["GET", "POST"])
def edit(article_id: int):
    """One translation beside the default-language text; article settings below."""
    editors_only()
    article = get_or_404(KbArticle, article_id)
    language = request.args.get("lang") or article.default_language
    if language not in CONTENT_LANGUAGES:
        abort(404)
    if request.method == "POST":
        try:
            articles.save_translation(article, current_user, language=language, title=request.form.get("title", ""),
                                      body_md=request.form.get("body_md", ""), summary=request.form.get("summary", ""),
                                      slug=request.form.get("slug") or None, note=request.form.get("note", ""))
            articles.update_settings(article, **_settings_from_form())
            if request.form.get("publish"):
                articles.set_status(article, "published")
        except articles.ArticleError as exc:
            db.session.rollback()
            flash(_("%(field)s: %(message)s", field=exc.field, message=exc.message), "error")
        else:
            flash(_("Saved."), "ok")
            return redirect(url_for("kb.edit", article_id=article.id, lang=language))
    translation = article.translation(language)
    source = article.translation(article.default_language) if language != article.default_language else None
    return render_template("kb/edit.html", article=article, translation=translation, source=source,
                           values=request.form, language=language, categories=public.category_tree("en"),
                           candidates=_related_candidates(article),
                           files=db.session.scalars(select(KbAttachment).where(KbAttachment.article_id == article.id)))


@bp.route("/articles/<int:article_id>/status", methods=["POST"])
def change_status(article_id: int):
    editors_only()
    article = get_or_404(KbArticle, article_id)
    try:
        articles.set_status(article, request.form.get("status", ""))
    except articles.ArticleError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    return redirect(request.referrer or url_for("kb.show", article_id=article.id))


@bp.route("/preview", methods=["POST"])
def preview():
    """The Markdown as the help center will show it (rendered and sanitised by the server)."""
    editors_only()
    return jsonify(html=render(request.form.get("body_md", "")[:articles.LIMITS["body_md"]]))


@bp.route("/articles/<int:article_id>/files", methods=["POST"])
def upload(article_id: int):
    """Store an image or file for the article, like ticket attachments; flash the Markdown that shows it."""
    editors_only()
    article = get_or_404(KbArticle, article_id)
    upload = request.files.get("file")
    if not upload or not upload.filename:
        abort(400)
    try:
        stored = files.store(IncomingFile(filename=upload.filename, content=upload.read(),
                                          content_type=upload.mimetype or "application/octet-stream"))
    except files.AttachmentTooLarge as exc:
        flash(str(exc), "error")
        return redirect(url_for("kb.edit", article_id=article.id))
    row = KbAttachment(article_id=article.id, storage_key=stored.storage_key, filename=stored.filename,
                       content_type=stored.content_type, size=stored.size, sha256=stored.sha256,
                       uploaded_by_id=current_user.id)
    db.session.add(row)
    db.session.commit()
    link = url_for("help.file", attachment_id=row.id, name=row.filename)
    bang = "!" if row.content_type.startswith("image/") else ""
    flash(_("Uploaded. Paste into the article: %(bang)s[%(filename)s](%(link)s)", bang=bang, filename=row.filename, link=link), "ok")
    return redirect(url_for("kb.edit", article_id=article.id, lang=request.args.get("lang")))


@bp.route("/tickets/<int:ticket_id>/suggestions")
def ticket_suggestions(ticket_id: int):
    """The suggestions panel's content for a ticket (an HTML fragment); `q` searches instead."""
    ticket = ticket_or_404(ticket_id)
    result, language = suggestions.for_ticket(ticket, request.args.get("q", "").strip()[:200] or None)
    return render_template("kb/_suggestions.html", ticket=ticket, result=result, language=language)


@bp.route("/articles/<int:article_id>/insert")
def insert(article_id: int):
    """The text to put into a reply for a public article: `mode` link or text, in `lang` if translated."""
    article = get_or_404(KbArticle, article_id)
    if not article.is_public:
        abort(404)  # internal articles are for agents; drafts and archived ones are not answers
    shown = public.localised(article, request.args.get("lang") or article.default_language) or abort(404)
    t = shown.translation
    url = url_for("help.article", lang=t.language, article_id=article.id, slug=t.slug, _external=True)
    return jsonify(text=suggestions.insertion(t, url, request.args.get("mode", "link")), language=t.language)
