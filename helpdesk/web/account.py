"""A staff member's own account: choosing a password through an e-mailed link (invitation, reset),
asking for a reset link, changing the password, and their API tokens."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from helpdesk.extensions import db, limiter
from helpdesk.i18n import gettext as _
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.i18n import ngettext
from helpdesk.models import ApiToken, UserSession
from helpdesk.services import audit
from helpdesk.services.accounts import links, password_changes, sessions
from helpdesk.services.accounts import tokens as api_tokens
from helpdesk.services.accounts import users as accounts
from helpdesk.services.accounts.passwords import PASSWORD_MIN
from helpdesk.services.staff import StaffError
from helpdesk.web.auth import start_session
from helpdesk.web.common import get_or_404

bp = Blueprint("account", __name__, url_prefix="/account")

LINK_TITLES = {"invite": _l("Welcome: choose your password"), "reset": _l("Choose a new password")}


def actor() -> audit.Actor:
    user_id = current_user.id if current_user.is_authenticated else None
    return audit.Actor(user_id=user_id, ip=request.remote_addr, via="web")


def _reset_limit() -> str:
    return current_app.config["HELPDESK_PASSWORD_RESET_RATE_LIMIT"]


def _link_page(purpose: str, token: str):
    """GET: the form if the link is still good; POST: set the password and use the link up."""
    if links.valid(token, purpose) is None:
        return render_template("account/link_used.html", purpose=purpose), 410
    if request.method == "GET":
        return render_template("account/set_password.html", title=LINK_TITLES[purpose], minimum=PASSWORD_MIN)
    password = request.form.get("password", "")[:2048]
    if password != request.form.get("confirm", "")[:2048]:
        flash(_("The two passwords differ."), "error")
        return render_template("account/set_password.html", title=LINK_TITLES[purpose], minimum=PASSWORD_MIN), 422
    try:
        user = password_changes.complete_link(token, purpose, password, actor())
    except password_changes.PasswordRejected as exc:
        flash(_("Password %(reason)s.", reason=exc), "error")
        return render_template("account/set_password.html", title=LINK_TITLES[purpose], minimum=PASSWORD_MIN), 422
    if user is None:
        return render_template("account/link_used.html", purpose=purpose), 410
    flash(_("Your password is set: sign in with it."), "ok")
    return redirect(url_for("auth.login", email=user.email), code=303)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token: str):
    """An invited staff member chooses their first password."""
    return _link_page("invite", token)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    """A staff member who asked for a reset chooses a new password."""
    return _link_page("reset", token)


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def forgot():
    """Ask for a reset link. The answer is the same whether or not the address is known."""
    if request.method == "GET":
        return render_template("account/forgot.html")
    from helpdesk.jobs import accounts as account_jobs

    email = request.form.get("email", "")[:320]
    found = password_changes.request_reset(email, actor())
    if found is not None:
        user, token = found
        account_jobs.send_link(user.email, user.name, "reset", token, user.language)
    flash(_("If this address belongs to an account, a link to choose a new password is on its way. "
            "It works once, within an hour."), "ok")
    return redirect(url_for("auth.login"), code=303)


@bp.get("")
@login_required
def page():
    """The signed-in user's own account: password and API tokens."""
    return _page()


def _page(status: int = 200, **extra):
    current = sessions.by_key(session.get("sid"))
    return render_template("account/page.html", tokens=api_tokens.tokens_of(current_user), minimum=PASSWORD_MIN,
                           sessions=sessions.live_of(current_user), current_session_id=current.id if current else None,
                           **extra), status


@bp.post("/preferences")
@login_required
def save_preferences():
    """Choose one's own console language and time zone (empty: the browser's, the helpdesk's)."""
    user = current_user._get_current_object()
    try:
        accounts.update_user(user, actor(), language=request.form.get("language") or None,
                             time_zone=request.form.get("time_zone") or None)
    except StaffError as exc:
        db.session.rollback()
        flash(_("Not saved: %(reason)s.", reason=exc), "error")
        return _page(422)
    flash(_("Saved: the console speaks your language and shows your time zone."), "ok")
    return redirect(url_for("account.page"), code=303)


@bp.post("/password")
@login_required
def change_password():
    """Change one's own password (the current one required); every other session ends."""
    new = request.form.get("new_password", "")[:2048]
    if new != request.form.get("confirm", "")[:2048]:
        flash(_("The two new passwords differ."), "error")
        return redirect(url_for("account.page"), code=303)
    user = current_user._get_current_object()
    try:
        password_changes.change_own(user, request.form.get("current_password", "")[:2048], new, actor())
    except (password_changes.WrongPassword, password_changes.PasswordRejected) as exc:
        db.session.rollback()
        flash(_("Password not changed: %(reason)s.", reason=exc), "error")
        return redirect(url_for("account.page"), code=303)
    start_session(user)  # this browser carries on in a new session; every other one ended
    flash(_("Password changed. You were signed out everywhere else."), "ok")
    return redirect(url_for("account.page"), code=303)


@bp.post("/tokens")
@login_required
def create_token():
    """Create a named API token; its secret is shown once, in this answer (never kept in the
    session cookie, which the browser stores readable)."""
    try:
        _token, secret = api_tokens.create(current_user._get_current_object(), request.form.get("name", ""), actor())
    except api_tokens.TokenError as exc:
        flash(_("Token not created: %(reason)s.", reason=exc), "error")
        return redirect(url_for("account.page"), code=303)
    return _page(201, new_token=secret)


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one of one's own tokens (someone else's answers 404)."""
    token = get_or_404(ApiToken, token_id)
    if token.user_id != current_user.id:
        abort(404)
    api_tokens.revoke(token, actor())
    flash(_("Token “%(name)s” revoked.", name=token.name), "ok")
    return redirect(url_for("account.page"), code=303)


@bp.post("/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    """Sign out one of one's own browsers (someone else's answers 404)."""
    row = get_or_404(UserSession, session_id)
    if row.user_id != current_user.id:
        abort(404)
    this_one = sessions.by_key(session.get("sid"))
    sessions.end(row, actor())
    if this_one is not None and this_one.id == row.id:
        return redirect(url_for("auth.login"), code=303)
    flash(_("That device is signed out."), "ok")
    return redirect(url_for("account.page"), code=303)


@bp.post("/sessions/end-others")
@login_required
def end_other_sessions():
    """Sign out every other browser of this user."""
    count = sessions.end_others(current_user._get_current_object(), sessions.by_key(session.get("sid")), actor())
    flash(ngettext("%(num)d other device signed out.", "%(num)d other devices signed out.", count), "ok")
    return redirect(url_for("account.page"), code=303)
