"""Knowledge-base console pages around the articles: revisions (diff, restore), categories,
the editor capability (admins grant it) and the reports."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import User
from helpdesk.web.common import get_or_404
from knowledge_base import articles, permissions, public, reports
from knowledge_base.console import editors_only
from knowledge_base.languages import CONTENT_LANGUAGES
from knowledge_base.models import KbArticle, KbCategory, KbRevision

bp = Blueprint("kb_admin", __name__, url_prefix="/kb", template_folder="templates")


@bp.before_request
@login_required
def _staff_only():
    """Every page here is for signed-in staff."""


@bp.context_processor
def _globals():
    return {"is_editor": permissions.is_editor(current_user), "LANGUAGES": CONTENT_LANGUAGES}


@bp.route("/articles/<int:article_id>/revisions")
def revisions(article_id: int):
    article = get_or_404(KbArticle, article_id)
    language = request.args.get("lang")
    return render_template("kb/revisions.html", article=article, items=articles.revisions(article, language))


@bp.route("/revisions/<int:revision_id>")
def revision(revision_id: int):
    """A revision's text and its diff from the one before (or from `against`)."""
    found = get_or_404(KbRevision, revision_id)
    against = request.args.get("against", type=int)
    other = db.session.get(KbRevision, against) if against else None
    if other is not None and (other.article_id, other.language) != (found.article_id, found.language):
        other = None
    return render_template("kb/revision.html", revision=found, article=db.session.get(KbArticle, found.article_id),
                           lines=articles.diff(found, other), previous=other or articles.previous_revision(found))


@bp.route("/revisions/<int:revision_id>/restore", methods=["POST"])
def restore(revision_id: int):
    editors_only()
    found = get_or_404(KbRevision, revision_id)
    articles.restore(found, current_user)
    flash(_("Revision %(number)s restored as the current text.", number=found.number), "ok")
    return redirect(url_for("kb.edit", article_id=found.article_id, lang=found.language))


@bp.route("/categories", methods=["GET", "POST"])
def categories():
    """Categories (nested); editors add and rename them, with a name per language."""
    if request.method == "POST":
        editors_only()
        category = db.session.get(KbCategory, request.form.get("id", 0, type=int)) or KbCategory()
        slug = articles.slugify(request.form.get("slug") or request.form.get("name_en", ""))
        taken = db.session.scalar(select(KbCategory.id).where(KbCategory.slug == slug, KbCategory.id != category.id))
        parent = request.form.get("parent_id", type=int)
        if taken or not request.form.get("name_en", "").strip() or (parent and parent == category.id):
            flash(_("A category needs an English name and a slug no other category has."), "error")
            return redirect(url_for("kb_admin.categories"))
        category.slug, category.parent_id = slug, parent or None
        category.position = request.form.get("position", 0, type=int)
        category.names = {code: request.form.get(f"name_{code}", "").strip()[:120] for code in CONTENT_LANGUAGES
                          if request.form.get(f"name_{code}", "").strip()}
        db.session.add(category)
        db.session.commit()
        return redirect(url_for("kb_admin.categories"))
    return render_template("kb/categories.html", tree=public.category_tree("en"))


@bp.route("/editors", methods=["GET", "POST"])
def editors():
    """Admins grant or take the editor capability."""
    if current_user.role != "admin":
        abort(404)
    if request.method == "POST":
        user = get_or_404(User, request.form.get("user_id", 0, type=int))
        if request.form.get("action") == "revoke":
            permissions.revoke(user)
        else:
            permissions.grant(user, current_user)
        return redirect(url_for("kb_admin.editors"))
    staff = list(db.session.scalars(select(User).where(User.active, User.role != "admin").order_by(User.name)))
    return render_template("kb/editors.html", editors=permissions.editors(), staff=staff)


@bp.route("/reports")
def reports_page():
    if not permissions.sees_reports(current_user):
        abort(404)
    days = min(max(request.args.get("days", 30, type=int), 1), 365)
    return render_template("kb/reports.html", report=reports.overview(days))

