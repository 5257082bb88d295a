"""Sign-in and sign-out of staff."""

from __future__ import annotations

import hashlib
import math
import time
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_limiter import RequestLimit
from flask_login import current_user, login_required, login_user, logout_user

from helpdesk.extensions import limiter
from helpdesk.i18n import gettext as _
from helpdesk.i18n import ngettext
from helpdesk.services import audit, staff
from helpdesk.services.accounts import sessions
from helpdesk.services.routing import availability

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths may be redirected to after sign-in (no open redirect)."""
    if not target:
        return url_for("tickets.list_tickets")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("tickets.list_tickets")
    return target


def _address_limit() -> str:
    return current_app.config["HELPDESK_LOGIN_RATE_LIMIT"]


def _account_limit() -> str:
    return current_app.config["HELPDESK_LOGIN_ACCOUNT_RATE_LIMIT"]


def _account_key() -> str:
    """The account being signed in to (hashed: the limiter's store need not hold addresses)."""
    email = request.form.get("email", "").strip().lower()[:320]
    return "login-account:" + hashlib.sha256(email.encode()).hexdigest()


def _failed(response: Response) -> bool:
    """Only failed sign-ins count: an office signing in at shift start from one address is never held up."""
    return response.status_code == 401


def _locked_out(limit: RequestLimit) -> Response:
    """The sign-in page itself, saying why and for how long, instead of a bare 429."""
    minutes = max(1, math.ceil((limit.reset_at - time.time()) / 60))
    flash(ngettext("Too many failed sign-ins. Sign-in is locked for %(num)d minute; try again then, or ask an admin "
                   "to reset your password.", "Too many failed sign-ins. Sign-in is locked for %(num)d minutes; try "
                   "again then, or ask an admin to reset your password.", minutes), "error")
    page = render_template("auth/login.html", next=request.form.get("next", ""), email=request.form.get("email", ""))
    return Response(page, status=429, headers={"Retry-After": str(minutes * 60)})


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"], deduct_when=_failed, on_breach=_locked_out)
@limiter.limit(_account_limit, methods=["POST"], key_func=_account_key, deduct_when=_failed, on_breach=_locked_out)
def login():
    """The sign-in form; a successful sign-in starts a brand-new session."""
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(url_for("tickets.list_tickets"))
        return render_template("auth/login.html", next=request.args.get("next", ""))
    email = request.form.get("email", "")[:320]
    password = request.form.get("password", "")[:1024]
    user = staff.authenticate(email, password)
    if user is None:
        staff.record_failed_sign_in(email, request.remote_addr)
        flash(_("Wrong e-mail or password."), "error")
        return render_template("auth/login.html", next=request.form.get("next", ""), email=email), 401
    target = _safe_next(request.form.get("next"))
    from helpdesk.web import two_factor

    if user.totp_enabled and not two_factor.device_remembered(user):
        return two_factor.second_step(user, target)
    start_session(user)
    staff.record_sign_in(user, request.remote_addr)
    return redirect(target)


def start_session(user) -> None:
    """Sign `user` in on this browser with a brand-new session: nothing planted in the cookie
    before (session fixation) survives, and the browser gets a session row of its own (listed on
    /account, ended by sign-out, idle time or age)."""
    session.clear()
    login_user(user)
    session["sid"] = sessions.start(user, request.remote_addr, request.headers.get("User-Agent"))


@bp.post("/logout")
@login_required
def logout():
    """Sign out this browser: its session row ends, so every copy of its cookie dies with it
    (other devices stay signed in; /account ends them)."""
    row = sessions.by_key(session.get("sid"))
    if row is not None:
        sessions.end(row, audit.Actor(current_user.id, request.remote_addr, "web"), reason="signed out")
    availability.set_status(current_user._get_current_object(), "offline", "signed out")
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))
