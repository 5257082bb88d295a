"""Send an `OutboundMessage` as an RFC 5322 e-mail over SMTP."""

from __future__ import annotations

import contextlib
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from channels.base import AUTO_SUBMITTED_KINDS, DeliveryError, DeliveryReceipt, OutboundMessage
from channels.email import message_ids

# SMTP answers in the 4xx range and dropped connections are worth retrying; 5xx are final.
_RETRYABLE = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError, socket.timeout, TimeoutError, OSError)


@dataclass(frozen=True)
class SmtpSettings:
    """Where and as whom mail leaves."""

    host: str
    port: int
    from_address: str
    from_name: str | None = None
    security: str = "none"  # ssl | starttls | none
    user: str | None = None
    password: str | None = None
    timeout: float = 30.0
    message_id_key: bytes | None = None  # signs our Message-IDs (see message_ids); None: plain ids

    def __repr__(self) -> str:  # never let the password (or the signing key) reach a log line
        return f"SmtpSettings(host={self.host!r}, port={self.port}, user={self.user!r})"


def _reject_header_injection(value: str, header: str) -> str:
    if "\r" in value or "\n" in value:
        raise DeliveryError(f"{header} contains a line break", retryable=False)
    return value


def build_email(message: OutboundMessage, settings: SmtpSettings) -> EmailMessage:
    """Build the MIME message for `message`, threaded onto what it answers."""
    mail = EmailMessage()
    mail["From"] = formataddr((settings.from_name or "", settings.from_address))
    to_name = _reject_header_injection(message.recipient.name or "", "recipient name")
    mail["To"] = formataddr((to_name, _reject_header_injection(message.recipient.address, "recipient")))
    copied = [formataddr((_reject_header_injection(p.name or "", "cc name"), _reject_header_injection(p.address, "cc")))
              for p in message.cc if p.address.lower() not in (settings.from_address.lower(), message.recipient.address.lower())]
    if copied:
        mail["Cc"] = ", ".join(copied)  # send_message delivers to To and Cc alike
    subject = _reject_header_injection(message.subject or "", "subject")
    if message.ticket_number is not None and f"[#{message.ticket_number}]" not in subject:
        subject = f"{subject} [#{message.ticket_number}]".strip()
    mail["Subject"] = subject
    mail["Date"] = formatdate(localtime=False)
    domain = settings.from_address.rpartition("@")[2] or None
    if settings.message_id_key:
        mail["Message-ID"] = message_ids.make(message.message_id, domain or "localhost", settings.message_id_key,
                                              message.delivery_key)
    elif message.delivery_key:
        mail["Message-ID"] = f"<hd{message.message_id}.{message_ids.token_of(message.delivery_key)}@{domain or 'localhost'}>"
    else:
        mail["Message-ID"] = make_msgid(idstring=f"hd{message.message_id}", domain=domain)
    if message.auto_submitted:
        if message.auto_submitted not in AUTO_SUBMITTED_KINDS:
            raise DeliveryError(f"unknown Auto-Submitted kind {message.auto_submitted!r}", retryable=False)
        # RFC 3834: an automatic message; also asks Exchange not to answer it with an out-of-office.
        mail["Auto-Submitted"] = message.auto_submitted
        mail["X-Auto-Response-Suppress"] = "All"
    refs = [_reject_header_injection(ref, "reference") for ref in message.in_reply_to]
    if refs:
        mail["In-Reply-To"] = refs[-1]
        mail["References"] = " ".join(refs)
    mail.set_content(message.body_text)
    if message.body_html:
        mail.add_alternative(message.body_html, subtype="html")
    for item in message.attachments:
        maintype, _, subtype = item.content_type.partition("/")
        mail.add_attachment(item.content, maintype=maintype or "application",
                            subtype=subtype or "octet-stream", filename=item.filename)
    return mail


class HandoverNotRecorded(Exception):
    """The `handing_over` callback failed: the message was not ended, so the server drops it."""


class _Smtp(smtplib.SMTP):
    """An SMTP client that calls `before_data_end` after the message's text and before the final
    "." of DATA: up to there the server discards the message if we vanish, after it the server
    may have it. (smtplib sends both in one piece.)"""

    before_data_end: Callable[[], None] | None = None

    def data(self, msg) -> tuple[int, bytes]:  # type: ignore[override]  # smtplib's own signature, typed loosely
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        text = _LEADING_DOT.sub(b"..", msg if isinstance(msg, bytes) else msg.encode("ascii"))
        self.send(text if text.endswith(b"\r\n") else text + b"\r\n")
        if self.before_data_end is not None:
            try:
                self.before_data_end()
            except Exception as exc:
                raise HandoverNotRecorded(str(exc)) from exc
        self.send(b".\r\n")
        return self.getreply()


class _SmtpSsl(smtplib.SMTP_SSL, _Smtp):
    """The same over TLS from the first byte."""


_LEADING_DOT = re.compile(rb"(?m)^\.")


def send_email(mail: EmailMessage, settings: SmtpSettings,
               before_data_end: Callable[[], None] | None = None) -> DeliveryReceipt:
    """Hand `mail` to the SMTP server; map SMTP failures to retryable or final errors.
    `before_data_end` runs right before the server can have the message (see `_Smtp`)."""
    client: _Smtp | None = None
    try:
        if settings.security == "ssl":
            client = _SmtpSsl(settings.host, settings.port, timeout=settings.timeout, context=ssl.create_default_context())
        else:
            client = _Smtp(settings.host, settings.port, timeout=settings.timeout)
        if settings.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if settings.user:
            client.login(settings.user, settings.password or "")
        client.before_data_end = before_data_end
        client.send_message(mail)
        # Accepted: say goodbye without waiting for the answer, so the caller records the send a
        # round trip sooner (a crash in between is what would send it twice).
        with contextlib.suppress(smtplib.SMTPException, OSError):  # it has the message: nothing else matters
            client.putcmd("quit")
    except HandoverNotRecorded as exc:
        raise DeliveryError(f"could not record the hand-over: {exc}", retryable=True) from None
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise DeliveryError(f"recipient refused ({codes})", retryable=all(400 <= c < 500 for c in codes)) from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", retryable=400 <= exc.smtp_code < 500) from None
    except _RETRYABLE as exc:
        raise DeliveryError(f"SMTP server unreachable: {exc.__class__.__name__}", retryable=True) from None
    finally:
        if client is not None:
            client.close()
    return DeliveryReceipt(provider_id=str(mail["Message-ID"]))


class SmtpChannel:
    """The outbound half of the e-mail channel."""

    name = "email"

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def send(self, message: OutboundMessage) -> DeliveryReceipt:
        """Deliver `message` by e-mail; `message.handing_over` hears the Message-ID before the DATA end."""
        mail = build_email(message, self.settings)
        handing_over = message.handing_over
        mark = (lambda: handing_over(str(mail["Message-ID"]))) if handing_over is not None else None
        return send_email(mail, self.settings, mark)
