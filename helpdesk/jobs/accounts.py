"""E-mails to staff about their account (an invitation, a password reset link): sent by a job so
a slow mail server never holds up the page, retried when it is down for a moment."""

from __future__ import annotations

from flask import Flask, render_template

from helpdesk.i18n import in_language
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.jobs.queue import huey
from helpdesk.services.mail import notices

_app: Flask | None = None

# The console's pages that take these links (helpdesk/web/account.py).
PATHS = {"invite": "/account/invitation/{token}", "reset": "/account/reset/{token}"}

# The subject of each e-mail; its body is the template mail/account_<purpose>.txt, both in the
# recipient's language.
SUBJECTS = {"invite": _l("You are invited to the helpdesk"), "reset": _l("Reset your helpdesk password")}


def init_app(app: Flask) -> None:
    """Bind the job to `app`."""
    global _app
    _app = app


def link_for(purpose: str, token: str) -> str:
    """The address of the page that takes a link token (HELPDESK_PUBLIC_URL, never the request's
    Host header, which a client chooses)."""
    assert _app is not None, "helpdesk.jobs.accounts.init_app was not called"
    return _app.config["HELPDESK_PUBLIC_URL"] + PATHS[purpose].format(token=token)


@huey.task(retries=3, retry_delay=60)
def send_link(address: str, name: str, purpose: str, token: str, language: str | None = None) -> str:
    """E-mail the `purpose` link ("invite" or "reset") to `address`, in `language` (the staff
    member's; None: the helpdesk's default); retried when the mail server fails for now."""
    assert _app is not None, "helpdesk.jobs.accounts.init_app was not called"
    with _app.app_context(), in_language(language):
        body = render_template(f"mail/account_{purpose}.txt", name=name, link=link_for(purpose, token))
        return notices.send_notice(address, str(SUBJECTS[purpose]), body)
