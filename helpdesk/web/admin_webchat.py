"""Administration of the chat widgets: keys, allowed origins, texts, identity verification (admins only)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import ChannelAccount
from helpdesk.services.webchat import widgets as webchat_widgets
from helpdesk.services.webchat.widgets import WidgetError
from helpdesk.web.common import admins_only, all_groups, get_or_404

bp = Blueprint("admin_webchat", __name__, url_prefix="/admin/webchat")
bp.before_request(admins_only)


def _origins(form) -> list[str]:
    return form.get("origins", "").replace(",", " ").split()


@bp.get("/")
def overview():
    """Every widget with its snippet, and a form to add one."""
    group_names = {g.id: g.name for g in all_groups()}
    return render_template("admin/webchat.html", widgets=webchat_widgets.widgets(), groups=all_groups(),
                           group_names=group_names, snippet=webchat_widgets.snippet,
                           base_url=current_app.config["HELPDESK_PUBLIC_URL"], positions=webchat_widgets.POSITIONS,
                           defaults=webchat_widgets)


@bp.post("/")
def add():
    """Add a widget; its identity secret (optional) is stored encrypted and never shown again."""
    form = request.form
    try:
        widget = webchat_widgets.add_widget(
            form.get("name", "").strip(), _origins(form), group=form.get("group") or None,
            identity_secret=form.get("identity_secret") or None, greeting=form.get("greeting"),
            offline_message=form.get("offline_message"), prechat=form.get("prechat") == "1", title=form.get("title"),
            colour=form.get("colour"), position=form.get("position"))
    except WidgetError as exc:
        db.session.rollback()
        flash(_("Widget not added: %(field)s %(message)s.", field=exc.field, message=exc.message), "error")
        return redirect(url_for("admin_webchat.overview"), code=303)
    flash(_("Widget %(name)s added. Paste its snippet into the site.", name=widget.name), "ok")
    return redirect(url_for("admin_webchat.overview", _anchor=f"widget-{widget.id}"), code=303)


@bp.post("/<int:account_id>")
def update(account_id: int):
    """Change a widget's origins, texts, group, pre-chat form, identity secret, or switch it off."""
    widget = get_or_404(ChannelAccount, account_id)
    if widget.kind != webchat_widgets.KIND:
        return redirect(url_for("admin_webchat.overview"), code=303)
    form = request.form
    try:
        webchat_widgets.update_widget(
            widget, origins=_origins(form), active=form.get("active") == "1", greeting=form.get("greeting"),
            offline_message=form.get("offline_message"), prechat=form.get("prechat") == "1",
            group=form.get("group", ""), identity_secret=form.get("identity_secret") or None,
            clear_identity_secret=form.get("clear_identity_secret") == "1", title=form.get("title"),
            colour=form.get("colour"), position=form.get("position"))
    except WidgetError as exc:
        db.session.rollback()
        flash(_("Widget not changed: %(field)s %(message)s.", field=exc.field, message=exc.message), "error")
    else:
        flash(_("Widget %(name)s saved.", name=widget.name), "ok")
    return redirect(url_for("admin_webchat.overview", _anchor=f"widget-{widget.id}"), code=303)
