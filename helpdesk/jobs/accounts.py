"""E-mails to staff about their account (an invitation, a password reset link): sent by a job so
a slow mail server never holds up the page, retried when it is down for a moment."""

from __future__ import annotations

from flask import Flask

from helpdesk.jobs.queue import huey
from helpdesk.services.mail import notices

_app: Flask | None = None

# The console's pages that take these links (helpdesk/web/account.py).
PATHS = {"invite": "/account/invitation/{token}", "reset": "/account/reset/{token}"}

TEXTS = {
    "invite": ("You are invited to the helpdesk", """Hello {name},

you have been given an account on the helpdesk. Choose your password with this link, valid for
seven days and only once:

{link}

Your sign-in is this e-mail address.
"""),
    "reset": ("Reset your helpdesk password", """Hello {name},

someone (we hope you) asked to reset the password of your helpdesk account. Choose a new one with
this link, valid for one hour and only once:

{link}

If it was not you, ignore this message: your password stays as it is.
"""),
}


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
def send_link(address: str, name: str, purpose: str, token: str) -> str:
    """E-mail the `purpose` link ("invite" or "reset") to `address`; retried when the mail server
    fails for now."""
    assert _app is not None, "helpdesk.jobs.accounts.init_app was not called"
    subject, body = TEXTS[purpose]
    with _app.app_context():
        return notices.send_notice(address, subject, body.format(name=name, link=link_for(purpose, token)))
