"""Sign-in and sign-out of staff."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from helpdesk.extensions import db, limiter
from helpdesk.services import staff

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths may be redirected to after sign-in (no open redirect)."""
    if not target:
        return url_for("tickets.list_tickets")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("tickets.list_tickets")
    return target


def _login_limit() -> str:
    return current_app.config["HELPDESK_LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
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
        flash("Wrong e-mail or password.", "error")
        return render_template("auth/login.html", next=request.form.get("next", ""), email=email), 401
    target = _safe_next(request.form.get("next"))
    # A fresh session at sign-in: nothing planted in the cookie before (session fixation) survives.
    session.clear()
    login_user(user)
    return redirect(target)


@bp.post("/logout")
@login_required
def logout():
    """Sign out everywhere: the session token is rotated, so every copy of the cookie dies with it."""
    staff.rotate_session_token(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))
