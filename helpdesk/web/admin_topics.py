"""Topics administration (admins only): the topics with their top words and ticket counts; rename,
merge, pin, hide; the settings (how many topics, which tickets a refit reads, how often, topic
tags); refit now."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Topic, TopicModel
from helpdesk.services import audit
from helpdesk.services.topics import curation
from helpdesk.services.topics import refit as topic_refit
from helpdesk.services.topics.curation import TopicError
from helpdesk.web.common import optional_int

bp = Blueprint("admin_topics", __name__, url_prefix="/admin/topics")
FLAG_DONE = {"pin": lambda name: _("Topic pinned: %(name)s", name=name),
             "unpin": lambda name: _("Topic unpinned: %(name)s", name=name),
             "hide": lambda name: _("Topic hidden: %(name)s", name=name),
             "show": lambda name: _("Topic shown again: %(name)s", name=name)}


@bp.before_request
@login_required
def _admins_only():
    if current_user.role != "admin":
        abort(404)


def _page(status: int = 200, error: TopicError | None = None):
    topics = db.session.scalars(select(Topic).order_by(Topic.merged_into_id.is_not(None), Topic.active.desc(),
                                                       Topic.size.desc(), Topic.id)).all()
    current = db.session.scalar(select(TopicModel).order_by(TopicModel.id.desc()).limit(1))
    settings = topic_refit.settings()
    db.session.commit()
    return render_template("admin/topics.html", topics=topics, current=current, settings=settings, error=error,
                           by_id={t.id: t for t in topics}), status


@bp.get("")
def overview():
    """Every topic, the settings and the last refit."""
    return _page()


def _done(message: str):
    flash(message, "success")
    return redirect(url_for(".overview"))


@bp.post("/<int:topic_id>")
def change(topic_id: int):
    """One admin action on a topic: `action` rename (with `name`), pin, unpin, hide, show, or
    merge (into `target_id`)."""
    action = request.form.get("action", "")
    try:
        if action == "rename":
            topic = curation.rename(topic_id, request.form.get("name"))
            return _done(_("Topic renamed to “%(name)s”.", name=topic.title))
        if action in FLAG_DONE:
            flag = "pinned" if action in ("pin", "unpin") else "hidden"
            topic = curation.set_flag(topic_id, flag, action in ("pin", "hide"))
            return _done(FLAG_DONE[action](topic.title))
        if action == "merge":
            target_id = optional_int(request.form.get("target_id"), "target_id")
            if target_id is None:
                raise TopicError("target", _("choose the topic to merge into"))
            target = curation.merge(topic_id, target_id)
            return _done(_("Merged into “%(name)s”.", name=target.title))
    except TopicError as exc:
        flash(_("%(field)s: %(reason)s", field=exc.field, reason=exc.message), "error")
        return _page(400 if exc.field != "topic" else 404, exc)
    except ValueError as exc:  # BadInput from optional_int
        flash(str(exc), "error")
        return _page(400)
    abort(400, description="action: must be rename, pin, unpin, hide, show or merge")


@bp.post("/settings")
def save_settings():
    """Store the topic settings; 400 with the field's error when a value is out of range."""
    values = {k: request.form.get(k, "") for k in curation.LIMITS}
    values["tag_tickets"] = request.form.get("tag_tickets") == "on"
    try:
        curation.update_settings(values)
    except TopicError as exc:
        flash(_("Topic settings not saved: %(field)s %(message)s.", field=exc.field.replace("_", " "),
                message=exc.message), "error")
        return _page(400, exc)
    return _done(_("Topic settings saved."))


@bp.post("/refit")
def refit_now():
    """Refit the topics in the background (at once when jobs run in-process)."""
    from helpdesk.jobs.topics import refit_topics

    audit.record(None, "topic.refit", "topic_model", None)
    db.session.commit()
    refit_topics()
    return _done(_("Refit started: topics are updated when it finishes."))
