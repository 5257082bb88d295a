"""The portal blueprint and what its pages share: the language in the path, the signed-in customer
from the portal's own cookie (never the console's session), and the sign-in guard."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for

from helpdesk.i18n import gettext as _
from helpdesk.models import Customer
from helpdesk.services.portal import links, sessions
from knowledge_base import languages

bp = Blueprint("portal", __name__, url_prefix="/portal")
LANGUAGES = links.LANGUAGES
COOKIE = "helpdesk_portal"
COOKIE_PATH = "/portal"


@bp.url_value_preprocessor
def _language(_endpoint, values):
    if values and "lang" in values:
        if values["lang"] not in LANGUAGES:
            abort(404)
        g.kb_language = g.page_language = values["lang"]  # its words follow it (helpdesk.i18n)


@bp.before_request
def _forget_customer():
    # Each request reads the cookie afresh (an app context kept open across requests keeps `g`).
    g.pop("portal_customer", None)


@bp.context_processor
def _globals():
    return {"lang": g.get("kb_language", "en"), "PORTAL_LANGUAGES": {c: languages.CONTENT_LANGUAGES[c] for c in LANGUAGES},
            "customer": current_customer(), "in_language": in_language}


def in_language(code: str) -> str:
    """This page in another language (its list for a page that answered a form)."""
    args = request.view_args or {}
    if request.method == "GET" and "lang" in args and request.endpoint:
        return url_for(request.endpoint, **(request.args.to_dict() | args | {"lang": code}))
    return url_for("portal.home", lang=code)


@bp.errorhandler(404)
def _not_found(_error):
    return render_template("portal/error.html", title=_("Not found"),
                           text=_("There is nothing here, or it is not yours to see.")), 404


@bp.errorhandler(429)
def _too_many(_error):
    return render_template("portal/error.html", title=_("Too many requests"),
                           text=_("You have asked for this too often; please wait a few minutes and try again.")), 429


def browser_language() -> str:
    """The portal language that best matches the browser's Accept-Language."""
    return languages.pick(request.accept_languages, available=LANGUAGES)


def current_customer() -> Customer | None:
    """The customer this browser is signed in to the portal as, or None."""
    if "portal_customer" not in g:
        g.portal_customer = sessions.customer_of(request.cookies.get(COOKIE))
    return g.portal_customer


def signed_in(view):
    """Only for a signed-in customer; anyone else is sent to the sign-in page of the language."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if current_customer() is None:
            return redirect(url_for("portal.sign_in", lang=kwargs.get("lang") or browser_language()))
        return view(*args, **kwargs)

    return guarded


def set_session_cookie(response, key: str):
    """Give the browser its portal session (HttpOnly, SameSite=Lax, only under /portal)."""
    config = current_app.config
    response.set_cookie(COOKIE, key, max_age=config["HELPDESK_PORTAL_SESSION_MAX_DAYS"] * 86400, path=COOKIE_PATH,
                        httponly=True, samesite="Lax", secure=bool(config.get("SESSION_COOKIE_SECURE")) or request.is_secure)
    return response


def drop_session_cookie(response):
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response
