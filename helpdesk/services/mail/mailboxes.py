"""Support mailboxes: adding and changing them, and the connection settings their adapters need."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import replace

from flask import current_app
from sqlalchemy import select

from channels.email.imap import SECURITY_MODES, ImapSettings
from channels.email.smtp import SmtpSettings
from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Mailbox
from helpdesk.services import secrets, staff
from helpdesk.services.transactions import begin_write

_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


class MailboxError(ValueError):
    """A mailbox setting that cannot be saved; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _port(value, field: str) -> int:
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise MailboxError(field, _("must be a number")) from None
    if not 0 < port < 65536:
        raise MailboxError(field, _("must be between 1 and 65535"))
    return port


def _host(value: str | None, field: str) -> str:
    host = (value or "").strip()
    if not host or len(host) > 255 or any(c.isspace() for c in host):
        raise MailboxError(field, _("must be a host name or address"))
    return host


def add_mailbox(*, name: str, address: str, imap_host: str, imap_port: int, imap_user: str, imap_password: str,
                imap_security: str = "ssl", imap_folder: str = "INBOX", imap_move_to: str | None = None,
                smtp_host: str | None = None, smtp_port: int | None = None, smtp_security: str = "starttls",
                smtp_user: str | None = None, smtp_password: str | None = None, group: str | None = None,
                acknowledge: bool = False, acknowledge_template: str | None = None) -> Mailbox:
    """Validate and store a mailbox with its passwords encrypted; commits and returns it."""
    if not _NAME.match(name or ""):
        raise MailboxError("name", _("must be letters, digits, '.', '_' or '-' (at most 100)"))
    address = (address or "").strip().lower()
    if not _EMAIL.match(address):
        raise MailboxError("address", _("must be an e-mail address"))
    for field, mode in (("imap_security", imap_security), ("smtp_security", smtp_security)):
        if mode not in SECURITY_MODES:
            raise MailboxError(field, _("must be one of %(list)s", list=list(SECURITY_MODES)))
    if not imap_user or not imap_password:
        raise MailboxError("imap_user", _("user and password are required"))
    begin_write()  # the uniqueness check and the insert in one writer, which listeners cannot go stale
    if db.session.scalar(select(Mailbox.id).where((Mailbox.name == name) | (Mailbox.address == address))):
        raise MailboxError("name", _("a mailbox with this name or address exists"))
    group_id = staff.group_id_named(group, MailboxError)
    mailbox = Mailbox(
        name=name, address=address, group_id=group_id,
        imap_host=_host(imap_host, "imap_host"), imap_port=_port(imap_port, "imap_port"), imap_security=imap_security,
        imap_user=imap_user.strip(), imap_password_secret=secrets.seal(imap_password),
        imap_folder=(imap_folder or "INBOX").strip(), imap_move_to=(imap_move_to or "").strip() or None,
        smtp_host=_host(smtp_host, "smtp_host") if smtp_host else None,
        smtp_port=_port(smtp_port, "smtp_port") if smtp_host else None, smtp_security=smtp_security,
        smtp_user=(smtp_user or "").strip() or None,
        smtp_password_secret=secrets.seal(smtp_password) if smtp_password else None,
        acknowledge=acknowledge, acknowledge_template=(acknowledge_template or "").strip() or None,
    )
    db.session.add(mailbox)
    db.session.commit()
    return mailbox


def update_mailbox(mailbox: Mailbox, *, active: bool, acknowledge: bool, acknowledge_template: str | None,
                   imap_password: str | None = None, smtp_password: str | None = None) -> Mailbox:
    """Change what an admin may change after creation; a password is replaced only when given."""
    template = (acknowledge_template or "").strip()
    if len(template) > 10_000:
        raise MailboxError("acknowledge_template", _("must be at most 10000 characters"))
    # The caller's read transaction may be older than a listener's last commit; on SQLite writing
    # from it fails at once with "database is locked", so the change starts as a writer.
    begin_write()
    mailbox.active, mailbox.acknowledge, mailbox.acknowledge_template = active, acknowledge, template or None
    if imap_password:
        mailbox.imap_password_secret = secrets.seal(imap_password)
    if smtp_password:
        mailbox.smtp_password_secret = secrets.seal(smtp_password)
    db.session.commit()
    return mailbox


def imap_settings(mailbox: Mailbox, *, timeout: float = 60.0) -> ImapSettings:
    """What the IMAP adapter needs to reach `mailbox` (password decrypted in memory only)."""
    return ImapSettings(host=mailbox.imap_host, port=mailbox.imap_port, user=mailbox.imap_user,
                        password=secrets.unseal(mailbox.imap_password_secret), security=mailbox.imap_security,
                        folder=mailbox.imap_folder, move_to=mailbox.imap_move_to, timeout=timeout)


def smtp_settings(mailbox: Mailbox, from_name: str = "Support") -> SmtpSettings | None:
    """How replies from `mailbox` leave, or None when it has no SMTP server of its own."""
    if not mailbox.smtp_host:
        return None
    return SmtpSettings(host=mailbox.smtp_host, port=mailbox.smtp_port or 587, from_address=mailbox.address,
                        from_name=from_name, security=mailbox.smtp_security, user=mailbox.smtp_user,
                        password=secrets.unseal(mailbox.smtp_password_secret) if mailbox.smtp_password_secret else None)


def active_mailboxes() -> list[Mailbox]:
    """Every active mailbox, oldest first."""
    return list(db.session.scalars(select(Mailbox).where(Mailbox.active).order_by(Mailbox.id)))


def own_addresses() -> set[str]:
    """Addresses mail is sent from: mail from these never starts a ticket (loops)."""
    return set(db.session.scalars(select(Mailbox.address)))


def get(mailbox_id: int) -> Mailbox:
    """The mailbox `mailbox_id`; LookupError when there is none."""
    mailbox = db.session.get(Mailbox, mailbox_id)
    if mailbox is None:
        raise LookupError(f"no mailbox {mailbox_id}")
    return mailbox


def message_id_key() -> bytes:
    """The key that signs our outbound Message-IDs, derived from the application's secret key."""
    return hmac.new(current_app.config["SECRET_KEY"].encode(), b"helpdesk outbound message-id", hashlib.sha256).digest()


def outgoing_smtp(source: str | None) -> SmtpSettings | None:
    """How a reply on a ticket from `source` leaves: a mailbox's own SMTP server, else the global
    one (HELPDESK_SMTP_URL) sending as the mailbox's address; None when no server is configured."""
    default: SmtpSettings | None = current_app.config.get("HELPDESK_SMTP")
    mailbox = None
    if source and source.startswith("mailbox:") and source[8:].isdigit():
        mailbox = db.session.get(Mailbox, int(source[8:]))
    settings = smtp_settings(mailbox) if mailbox else None
    if settings is None and default is not None:
        settings = replace(default, from_address=mailbox.address) if mailbox else default
    return replace(settings, message_id_key=message_id_key()) if settings else None
