"""Two-factor sign-in in the console: the second step after the password, enrolment and removal
at /account/two-factor, remembered devices, and the rule that roles an admin chose must enrol
before using anything else."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeTimedSerializer

from helpdesk.extensions import db, limiter
from helpdesk.i18n import gettext as _
from helpdesk.models import User
from helpdesk.services import audit, staff
from helpdesk.services.accounts import two_factor
from helpdesk.web.auth import start_session

bp = Blueprint("two_factor", __name__)

COOKIE = "hd_device"
PENDING_SECONDS = 300
TRIES = 5
# Pages a user who must enrol may still open (besides static files).
OPEN_WHILE_ENROLLING = {"two_factor.settings", "two_factor.begin", "two_factor.confirm", "auth.logout", "auth.login",
                        "static"}


def _actor(user_id: int | None) -> audit.Actor:
    return audit.Actor(user_id, request.remote_addr, "web")


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="two-factor-device")


def device_remembered(user: User) -> bool:
    """Whether this browser carries a remembered-device cookie for `user`'s current enrolment."""
    stamp = two_factor.device_stamp(user)
    raw = request.cookies.get(COOKIE)
    if stamp is None or not raw:
        return False
    try:
        payload = _signer().loads(raw, max_age=two_factor.REMEMBER_DAYS_MAX * 86400)
    except BadSignature:
        return False
    return isinstance(payload, dict) and payload.get("u") == user.id and payload.get("s") == stamp


def second_step(user: User, target: str):
    """After a right password: remember who is half signed in (no session yet) and ask for a code."""
    session.clear()
    session["2fa"] = {"u": user.id, "next": target, "at": time.time(), "tries": 0}
    return redirect(url_for("two_factor.code"), code=303)


def _limit() -> str:
    return current_app.config["HELPDESK_LOGIN_RATE_LIMIT"]


@bp.route("/login/two-factor", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def code():
    """The second step: a code from the authenticator app, or a recovery code."""
    pending = session.get("2fa")
    user = db.session.get(User, pending["u"]) if isinstance(pending, dict) and pending.get("u") else None
    if user is None or not user.active or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        session.pop("2fa", None)
        flash(_("Sign in again."), "error")
        return redirect(url_for("auth.login"), code=303)
    if request.method == "GET":
        return render_template("auth/two_factor.html")
    used = two_factor.verify(user, request.form.get("code", ""), _actor(user.id))
    if used is None:
        pending["tries"] = pending.get("tries", 0) + 1
        session["2fa"] = pending
        if pending["tries"] >= TRIES:
            session.pop("2fa", None)
            flash(_("Too many wrong codes: sign in again."), "error")
            return redirect(url_for("auth.login"), code=303)
        flash(_("That code is not right (or was used already)."), "error")
        return render_template("auth/two_factor.html"), 401
    start_session(user)
    staff.record_sign_in(user, request.remote_addr)
    if used == "recovery":
        flash(_("You used a recovery code; %(count)s are left.", count=two_factor.remaining_recovery_codes(user)), "ok")
    response = redirect(pending.get("next") or url_for("tickets.list_tickets"), code=303)
    if request.form.get("remember") == "1":
        response.set_cookie(COOKIE, _signer().dumps({"u": user.id, "s": two_factor.device_stamp(user)}),
                            max_age=two_factor.REMEMBER_DAYS_MAX * 86400, httponly=True, samesite="Lax",
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


@bp.get("/account/two-factor")
@login_required
def settings():
    """Whether two-factor sign-in is on; enrol or turn it off."""
    uri = two_factor.pending_uri(current_user)
    return render_template("account/two_factor.html", uri=uri, qr=two_factor.qr_data_uri(uri) if uri else None,
                           secret=uri and uri.split("secret=")[1].split("&")[0],
                           required=two_factor.required_for(current_user),
                           remaining=two_factor.remaining_recovery_codes(current_user))


@bp.post("/account/two-factor/begin")
@login_required
def begin():
    """Start enrolment: a new secret and its QR code."""
    if not current_user.totp_enabled:
        two_factor.begin(current_user)
    return redirect(url_for("two_factor.settings"), code=303)


@bp.post("/account/two-factor/confirm")
@login_required
def confirm():
    """Confirm enrolment with a first code; the recovery codes are shown in this answer only."""
    codes = two_factor.confirm(current_user, request.form.get("code", ""), _actor(current_user.id))
    if codes is None:
        flash(_("That code is not right: check the time on your phone and try the next one."), "error")
        return redirect(url_for("two_factor.settings"), code=303)
    return render_template("account/recovery_codes.html", codes=codes), 201


@bp.post("/account/two-factor/off")
@login_required
def turn_off():
    """Turn one's own second factor off (the password required; refused where the role needs it)."""
    if two_factor.required_for(current_user):
        flash(_("Your role must sign in with a second factor; it cannot be turned off."), "error")
    elif not staff.password_matches(current_user, request.form.get("password", "")[:1024]):
        flash(_("The password is wrong."), "error")
    else:
        two_factor.turn_off(current_user, _actor(current_user.id))
        flash(_("Two-factor sign-in is off."), "ok")
    return redirect(url_for("two_factor.settings"), code=303)


@bp.before_app_request
def _enrol_first():
    """Users of a role that must use a second factor enrol before anything else."""
    if request.endpoint in OPEN_WHILE_ENROLLING or request.path.startswith("/api/") or not request.endpoint:
        return None
    if not current_user.is_authenticated or current_user.totp_enabled or not two_factor.required_for(current_user):
        return None
    flash(_("Your role must sign in with a second factor: set it up to continue."), "error")
    return redirect(url_for("two_factor.settings"), code=303)
