"""Sign-in and sign-out of staff."""

from __future__ import annotations

import hashlib
import math
import time
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_limiter import RequestLimit
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
    flash(f"Too many failed sign-ins. Sign-in is locked for {minutes} minute{'s' if minutes > 1 else ''}; "
          "try again then, or ask an admin to reset your password.", "error")
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
        flash("Wrong e-mail or password.", "error")
        return render_template("auth/login.html", next=request.form.get("next", ""), email=email), 401
    target = _safe_next(request.form.get("next"))
    # A fresh session at sign-in: nothing planted in the cookie before (session fixation) survives.
    session.clear()
    login_user(user)
    staff.record_sign_in(user, request.remote_addr)
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
