"""The e-mail that proves a visitor's address: sent by a job, so a slow mail server never holds
up the chat, and retried when the server is down for a moment."""

from __future__ import annotations

from flask import Flask

from helpdesk.jobs.queue import huey
from helpdesk.services.mail import notices

_app: Flask | None = None

BODY = """Hello,

someone (we hope you) asked to get the answers to their chat on {widget} by e-mail at this address.
Confirm it with this link, valid for two days:

{link}

If it was not you, ignore this message: nothing is sent to this address without the confirmation.
"""


def init_app(app: Flask) -> None:
    """Bind the job to `app`."""
    global _app
    _app = app


@huey.task(retries=3, retry_delay=60)
def send_confirmation(address: str, link: str, widget: str) -> str:
    """E-mail the confirmation `link` to `address`; retried when the mail server fails for now."""
    assert _app is not None, "helpdesk.jobs.webchat.init_app was not called"
    with _app.app_context():
        return notices.send_notice(address, "Confirm your e-mail address", BODY.format(widget=widget, link=link))
