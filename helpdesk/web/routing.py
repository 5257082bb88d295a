"""Routing pages: the live agents board (supervisors and admins) at /agents/live, and the routing
admin (admins only) at /admin/routing: each group's strategy, default capacities and offer timeout,
each agent's own capacities and skills."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.models import Group, User
from helpdesk.models.routing import KINDS, STRATEGIES
from helpdesk.services.routing import availability, settings, snapshot
from helpdesk.web.common import admins_only, all_groups, get_or_404

bp = Blueprint("routing", __name__)

STRATEGY_NAMES = {"off": _l("Off (agents take tickets themselves)"), "round_robin": _l("Round robin"),
                  "least_loaded": _l("Least loaded"), "skills": _l("Skills-based")}


@bp.app_template_global()
def my_availability() -> str:
    """The signed-in staff member's availability, for the header's control."""
    return availability.status_of(current_user.id).status if current_user.is_authenticated else "offline"


@bp.get("/agents/live")
@login_required
def live():
    """Every agent's availability and open work against capacity, kept current over the socket."""
    if not current_user.sees_all_groups:
        abort(403)
    return render_template("routing/live.html", rows=availability.board(), kinds=KINDS)


@bp.get("/admin/routing")
@login_required
def overview():
    """Each group's routing settings, and the agents with their capacities and skills."""
    admins_only()
    groups = all_groups()
    agents = list(db.session.scalars(db.select(User).where(User.active.is_(True)).order_by(User.name)))
    ids = [user.id for user in agents]
    return render_template("routing/admin.html", groups=groups, settings_of=snapshot.settings_of, kinds=KINDS,
                           strategies=STRATEGIES, strategy_names=STRATEGY_NAMES, agents=agents,
                           capacities=settings.capacities_of_many(ids), skills=settings.skills_of_many(ids))


@bp.post("/admin/routing/groups/<int:group_id>")
@login_required
def save_group(group_id: int):
    """Store one group's strategy, default capacities and offer timeout."""
    admins_only()
    group = get_or_404(Group, group_id)
    form = request.form
    try:
        settings.save_group(group.id, strategy=form.get("strategy", ""), chat_capacity=form.get("chat_capacity"),
                            messaging_capacity=form.get("messaging_capacity"),
                            ticket_capacity=form.get("ticket_capacity"), offer_timeout=form.get("offer_timeout"))
    except settings.RoutingSettingsError as exc:
        db.session.rollback()
        flash(_("%(group)s not saved: %(field)s %(reason)s.", group=group.name, field=exc.field.replace("_", " "),
                reason=exc.message), "error")
        return redirect(url_for("routing.overview"), code=303)
    flash(_("Routing of %(group)s saved.", group=group.name), "ok")
    return redirect(url_for("routing.overview"), code=303)


@bp.get("/admin/routing/agents/<int:user_id>")
@login_required
def agent(user_id: int):
    """One agent's capacities per channel kind and skills."""
    admins_only()
    user = get_or_404(User, user_id)
    skills = "\n".join(f"{s.kind}:{s.value}:{s.level}" for s in settings.skills_of(user.id))
    return render_template("routing/agent.html", user=user, kinds=KINDS, capacities=settings.capacities_of(user.id),
                           skills=skills)


@bp.post("/admin/routing/agents/<int:user_id>")
@login_required
def save_agent(user_id: int):
    """Replace one agent's capacities and skills."""
    admins_only()
    user = get_or_404(User, user_id)
    try:
        skills = settings.parse_skills(request.form.get("skills", "")[:5000])
        settings.save_agent(user.id, {k: request.form.get(f"{k}_capacity", "").strip() for k in KINDS}, skills)
    except settings.RoutingSettingsError as exc:
        db.session.rollback()
        flash(_("Not saved: %(reason)s.", reason=exc.message), "error")
        return redirect(url_for("routing.agent", user_id=user.id), code=303)
    flash(_("Capacities and skills of %(name)s saved.", name=user.name), "ok")
    return redirect(url_for("routing.overview"), code=303)
