"""The users admin at /admin/users (admins only): list, invite, edit, switch off and on, reassign
a switched-off user's open tickets, revoke their API tokens."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import ApiToken, User
from helpdesk.models.staff import ROLES
from helpdesk.services import audit, tickets
from helpdesk.services.accounts import tokens as api_tokens
from helpdesk.services.accounts import two_factor
from helpdesk.services.accounts import users as accounts
from helpdesk.services.staff import StaffError
from helpdesk.web.common import BadInput, admins_only, all_groups, assignable_users, get_or_404, optional_int

bp = Blueprint("admin_users", __name__, url_prefix="/admin/users")
bp.before_request(admins_only)


def actor() -> audit.Actor:
    """The signed-in admin as the audit log records them."""
    return audit.Actor(user_id=current_user.id, ip=request.remote_addr, via="web")


def _back(user: User | None = None):
    target = url_for("admin_users.edit", user_id=user.id) if user else url_for("admin_users.overview")
    return redirect(target, code=303)


@bp.get("")
def overview():
    """Every staff member with role, groups, last sign-in and second factor; the invite form."""
    return render_template("admin/users.html", users=accounts.list_users(), groups=all_groups(), roles=ROLES,
                           languages=accounts.LANGUAGES, two_factor_roles=two_factor.required_roles())


@bp.post("/two-factor-roles")
def set_two_factor_roles():
    """Choose the roles that must sign in with a second factor."""
    roles = two_factor.set_required_roles(request.form.getlist("roles"), actor())
    flash(_("Two-factor sign-in required for: %(roles)s.", roles=", ".join(roles) or _("nobody")), "ok")
    return _back()


@bp.post("/<int:user_id>/two-factor/reset")
def reset_two_factor(user_id: int):
    """Remove a user's second factor (a lost phone): they enrol again at their next sign-in."""
    user = get_or_404(User, user_id)
    two_factor.turn_off(user, actor(), action="user.two_factor_reset")
    flash(_("%(name)s's second factor is reset.", name=user.name), "ok")
    return _back(user)


@bp.post("/invite")
def invite():
    """Create a user without a password and e-mail them a link to choose one."""
    from helpdesk.jobs import accounts as account_jobs

    form = request.form
    try:
        user, token = accounts.create(actor(), email=form.get("email", ""), name=form.get("name", ""),
                                      role=form.get("role", ""), groups=form.getlist("groups"),
                                      language=form.get("language") or None,
                                      time_zone=form.get("time_zone") or None)
    except StaffError as exc:
        db.session.rollback()
        flash(_("Not invited: %(reason)s.", reason=exc), "error")
        return _back()
    account_jobs.send_link(user.email, user.name, "invite", token, user.language)
    flash(_("Invitation sent to %(email)s.", email=user.email), "ok")
    return _back()


@bp.get("/<int:user_id>")
def edit(user_id: int):
    """One user: profile, rights, switch off/on, open tickets to reassign, API tokens."""
    user = get_or_404(User, user_id)
    open_tickets = accounts.open_tickets(user)
    return render_template("admin/user.html", user=user, groups=all_groups(), roles=ROLES,
                           languages=accounts.LANGUAGES, open_tickets=open_tickets,
                           colleagues=[u for u in assignable_users() if u.id != user.id],
                           tokens=api_tokens.tokens_of(user))


@bp.post("/<int:user_id>")
def update(user_id: int):
    """Change name, role, groups, language and time zone."""
    user = get_or_404(User, user_id)
    form = request.form
    try:
        accounts.update_user(user, actor(), name=form.get("name", ""), role=form.get("role", ""),
                             groups=form.getlist("groups"), language=form.get("language") or None,
                             time_zone=form.get("time_zone") or None)
    except StaffError as exc:
        db.session.rollback()
        flash(_("Not saved: %(reason)s.", reason=exc), "error")
        return _back(user)
    flash(_("Saved. Open consoles of this user follow the change at once."), "ok")
    return _back(user)


@bp.post("/<int:user_id>/active")
def set_active(user_id: int):
    """Switch a user off (sessions, tokens and live connections end at once) or back on."""
    user = get_or_404(User, user_id)
    active = request.form.get("active") == "1"
    try:
        accounts.update_user(user, actor(), active=active)
    except StaffError as exc:
        db.session.rollback()
        flash(_("Not changed: %(reason)s.", reason=exc), "error")
        return _back(user)
    flash((_("%(name)s is switched on.", name=user.name) if active else
           _("%(name)s is switched off.", name=user.name)), "ok")
    return _back(user)


@bp.post("/<int:user_id>/reassign")
def reassign(user_id: int):
    """Give the chosen open tickets of this user to a colleague (or nobody)."""
    user = get_or_404(User, user_id)
    try:
        assignee_id = optional_int(request.form.get("assignee_id"), "assignee_id")
        chosen = {optional_int(v, "ticket_id") for v in request.form.getlist("ticket_id")}
    except BadInput as exc:
        flash(_("Not reassigned: %(reason)s.", reason=exc), "error")
        return _back(user)
    moved = 0
    for ticket in accounts.open_tickets(user):
        if ticket.id in chosen:
            try:
                tickets.update_ticket(ticket, current_user._get_current_object(), assignee_id=assignee_id)
            except tickets.TicketError as exc:
                db.session.rollback()
                flash(_("Ticket #%(number)s not reassigned: %(reason)s.", number=ticket.number, reason=exc), "error")
                continue
            moved += 1
    flash(_("%(moved)s ticket(s) reassigned.", moved=moved), "ok")
    return _back(user)


@bp.post("/<int:user_id>/invitation")
def resend_invitation(user_id: int):
    """A fresh invitation link for a user who has not chosen a password yet."""
    from helpdesk.jobs import accounts as account_jobs

    user = get_or_404(User, user_id)
    try:
        token = accounts.reissue_invitation(user, actor())
    except StaffError as exc:
        flash(_("Not sent: %(reason)s.", reason=exc), "error")
        return _back(user)
    account_jobs.send_link(user.email, user.name, "invite", token, user.language)
    flash(_("A new invitation was sent to %(email)s.", email=user.email), "ok")
    return _back(user)


@bp.post("/<int:user_id>/tokens/<int:token_id>/revoke")
def revoke_token(user_id: int, token_id: int):
    """Revoke one of this user's API tokens."""
    token = get_or_404(ApiToken, token_id)
    if token.user_id != user_id:
        return _back(get_or_404(User, user_id))
    api_tokens.revoke(token, actor())
    flash(_("Token “%(name)s” revoked.", name=token.name), "ok")
    return _back(token.user)
