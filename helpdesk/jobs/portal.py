"""The e-mail with a customer's portal sign-in link: sent by a job, so the page answers at once
(and the same for a known and an unknown address), retried when the mail server is down for a moment."""

from __future__ import annotations

from flask import Flask

from helpdesk.jobs.queue import huey
from helpdesk.services.mail import notices
from knowledge_base.i18n import catalogue

_app: Flask | None = None

SUBJECT = "Your sign-in link"
BODY = """Hello {name},

here is your link to sign in to your requests. It works once, within 15 minutes:

{link}

If you did not ask for it, ignore this message: nobody can sign in without the link.
"""


def init_app(app: Flask) -> None:
    """Bind the job to `app`."""
    global _app
    _app = app


def link_for(language: str, token: str) -> str:
    """The sign-in page of `token` (under HELPDESK_PUBLIC_URL, never the request's Host header,
    which a client chooses)."""
    assert _app is not None, "helpdesk.jobs.portal.init_app was not called"
    return f"{_app.config['HELPDESK_PUBLIC_URL']}/portal/{language}/sign-in/{token}"


@huey.task(retries=3, retry_delay=60)
def send_sign_in_link(address: str, name: str, language: str, token: str) -> str:
    """E-mail the sign-in link to `address` in `language`; retried when the mail server fails for now."""
    assert _app is not None, "helpdesk.jobs.portal.init_app was not called"
    words = catalogue(language)
    body = words.gettext(BODY).format(name=name, link=link_for(language, token))
    with _app.app_context():
        return notices.send_notice(address, words.gettext(SUBJECT), body)
