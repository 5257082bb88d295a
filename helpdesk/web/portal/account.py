"""Signing in to the portal with a one-time link, and signing out."""

from __future__ import annotations

import re

from flask import current_app, g, redirect, render_template, request, url_for

from helpdesk.extensions import limiter
from helpdesk.i18n import gettext as _
from helpdesk.services.portal import links, sessions
from helpdesk.web.portal.common import (
    COOKIE,
    bp,
    browser_language,
    current_customer,
    drop_session_cookie,
    set_session_cookie,
)

_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")


def _sign_in_limit() -> str:
    return current_app.config["HELPDESK_PORTAL_SIGN_IN_RATE_LIMIT"]


@bp.route("/")
def index():
    """Send the visitor to the portal in their browser's language."""
    return redirect(url_for("portal.home", lang=browser_language()))


@bp.route("/<lang>/sign-in", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
def sign_in(lang: str):
    """The address form; a POST mails a link when the address is a customer's, and answers the
    very same page whether it is or not (nobody learns who our customers are)."""
    if request.method == "GET":
        if current_customer() is not None:
            return redirect(url_for("portal.home", lang=lang))
        return render_template("portal/sign_in.html", email="", error=None)
    email = request.form.get("email", "").strip()[:320]
    if not _EMAIL.match(email):
        return render_template("portal/sign_in.html", email=email, error=_("Enter your e-mail address.")), 422
    found = links.request_by_mail(email)
    if found is not None:
        from helpdesk.jobs.portal import send_sign_in_link

        customer, token = found
        send_sign_in_link(email.lower(), customer.name, lang, token)
    return render_template("portal/sign_in_sent.html", email=email)


@bp.get("/<lang>/sign-in/<token>")
def link(lang: str, token: str):
    """What a sign-in link opens: a button that signs in (a mail scanner fetching the link uses
    nothing up), or why the link no longer works."""
    try:
        links.check(token)
    except links.LinkRefused as exc:
        return render_template("portal/link_refused.html", reason=exc.reason), 410
    return render_template("portal/link.html", token=token)


@bp.post("/<lang>/sign-in/<token>")
def use_link(lang: str, token: str):
    """Use the link up and start a portal session of this browser (a new one: any earlier is ended)."""
    try:
        customer = links.redeem(token)
    except links.LinkRefused as exc:
        return render_template("portal/link_refused.html", reason=exc.reason), 410
    sessions.end(request.cookies.get(COOKIE))
    key = sessions.start(customer)
    g.pop("portal_customer", None)
    return set_session_cookie(redirect(url_for("portal.home", lang=lang), 303), key)


@bp.post("/<lang>/sign-out")
def sign_out(lang: str):
    """End this browser's portal session."""
    sessions.end(request.cookies.get(COOKIE))
    return drop_session_cookie(redirect(url_for("portal.sign_in", lang=lang), 303))
