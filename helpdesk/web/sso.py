"""Single sign-on with OpenID Connect (Authlib): "Sign in with your company account" on the sign-in
page when HELPDESK_OIDC_ISSUER, _CLIENT_ID and _CLIENT_SECRET are set. Authlib discovers the
provider, runs the authorization code flow with state and nonce, and validates the ID token
(signature from the provider's keys, issuer, audience, expiry, nonce); services.accounts.sso
decides who that is."""

from __future__ import annotations

from authlib.integrations.flask_client import OAuth
from flask import Blueprint, current_app, flash, redirect, request, url_for

from helpdesk.i18n import gettext as _
from helpdesk.services import audit, staff
from helpdesk.services.accounts import sso
from helpdesk.web.auth import start_session

bp = Blueprint("sso", __name__)
oauth = OAuth()


def configured(app) -> bool:
    return bool(app.config.get("HELPDESK_OIDC_ISSUER") and app.config.get("HELPDESK_OIDC_CLIENT_ID"))


def init_app(app) -> None:
    """Register the provider when single sign-on is configured."""
    app.register_blueprint(bp)
    app.jinja_env.globals["sso_enabled"] = lambda: configured(current_app)
    if not configured(app):
        return
    oauth.init_app(app)
    issuer = app.config["HELPDESK_OIDC_ISSUER"].rstrip("/")
    oauth.register("company", client_id=app.config["HELPDESK_OIDC_CLIENT_ID"],
                   client_secret=app.config.get("HELPDESK_OIDC_CLIENT_SECRET"),
                   server_metadata_url=issuer + "/.well-known/openid-configuration",
                   client_kwargs={"scope": "openid email profile", "timeout": 10}, overwrite=True)


def _rules() -> sso.SsoRules:
    config = current_app.config
    return sso.SsoRules(create_users=config["HELPDESK_OIDC_CREATE_USERS"], default_role=config["HELPDESK_OIDC_DEFAULT_ROLE"],
                        role_claim=config["HELPDESK_OIDC_ROLE_CLAIM"], groups_claim=config["HELPDESK_OIDC_GROUPS_CLAIM"])


@bp.get("/login/sso")
def start():
    """Send the browser to the company's provider."""
    if not configured(current_app):
        return redirect(url_for("auth.login"))
    return oauth.company.authorize_redirect(url_for("sso.callback", _external=True))


@bp.get("/login/sso/callback")
def callback():
    """The provider sends the browser back with a code: exchange it, validate the ID token, sign in."""
    if not configured(current_app):
        return redirect(url_for("auth.login"))
    actor = audit.Actor(None, request.remote_addr, "web")
    try:
        token = oauth.company.authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        user = sso.sign_in(claims, _rules(), actor)
    except sso.SsoRefused as exc:
        staff.record_failed_sign_in(str(claims.get("email", "")), request.remote_addr)
        flash(_("Single sign-on refused: %(reason)s.", reason=exc), "error")
        return redirect(url_for("auth.login"), code=303)
    except Exception as exc:  # noqa: BLE001 - Authlib's errors (bad state, bad token, provider down) all mean "no"
        current_app.logger.warning("single sign-on failed: %s", exc.__class__.__name__)
        flash(_("Single sign-on failed: try again, or sign in with your password."), "error")
        return redirect(url_for("auth.login"), code=303)
    from helpdesk.web import two_factor

    if user.totp_enabled and not two_factor.device_remembered(user):
        return two_factor.second_step(user, url_for("tickets.list_tickets"))  # a second factor set up here still counts
    start_session(user)
    staff.record_sign_in(user, request.remote_addr)
    return redirect(url_for("tickets.list_tickets"), code=303)
