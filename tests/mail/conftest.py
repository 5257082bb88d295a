"""A support mailbox on the session's Dovecot server, configured through the real service."""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import pytest

from helpdesk.services.mail import mailboxes


@pytest.fixture
def mailbox(app, dovecot, groups):
    """A mailbox with its own Dovecot user; `.user` is the IMAP login (mail is delivered to it)."""
    user = f"support-{uuid.uuid4().hex[:8]}@helpdesk.example"
    box = mailboxes.add_mailbox(name=user.split("@")[0], address=user, imap_host="127.0.0.1", imap_port=dovecot.port,
                                imap_user=user, imap_password="imap-secret", imap_security="none")
    box.user = user
    return box


def make_mail(*, sender: str = "maria@customer.example", subject: str = "Printer on fire", body: str = "Help!",
              message_id: str | None = None, headers: dict | None = None, to: str = "support@helpdesk.example") -> bytes:
    """A plain, well-formed customer mail."""
    mail = EmailMessage()
    mail["From"] = f"María López <{sender}>"
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = formatdate()
    mail["Message-ID"] = message_id or make_msgid(domain="customer.example")
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(body)
    return bytes(mail)
