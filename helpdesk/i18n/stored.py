"""Sentences stored in English, in the reader's language: a mailbox's or a bot's last error, a mail
kept in the failed-mail store, a reply that could not be delivered, why a survey was not sent, why
the SLA clocks are being recomputed, why an outbound webhook was not delivered.

The channel adapters (`channels/`) import nothing of Flask nor of the catalogues, and these words
are logs and API values too, so they are stored in English as they were said. `say(text)` matches
each known shape and says it again through gettext, with its technical part (host, the server's
answer, an exception's name) kept as written, numbers in the reader's format and stored codes by
their label; words of an unknown shape read as stored.
"""

from __future__ import annotations

import re

from flask import Flask

from helpdesk.i18n import labels
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.i18n.formats import number

# (pattern of the stored English words, the same in the reader's words). The first that matches
# the whole text wins; a group named `reason` is itself said again (a reason within a reason).
PROBLEMS = [(re.compile(pattern, re.S), words) for pattern, words in (
    # channels.email.imap and services.mail.sync (a mailbox's last error)
    (r"IMAP login to (?P<host>\S+) refused: (?P<detail>.*)", _l("IMAP login to %(host)s refused: %(detail)s")),
    (r"IMAP server (?P<host>\S+) unreachable: (?P<detail>.*)", _l("IMAP server %(host)s unreachable: %(detail)s")),
    (r"connection lost: (?P<detail>.*)", _l("connection lost: %(detail)s")),
    (r"database busy \(locked by another writer\); the rest is read on the next pass",
     _l("database busy (locked by another writer); the rest is read on the next pass")),
    # services.mail.sync / inbound (a failed mail's error)
    (r"MailRejected: message is (?P<size>\d+) bytes, over the (?P<limit>\d+)-byte limit",
     _l("the message is %(size)s bytes, over the limit of %(limit)s bytes")),
    (r"MailRejected: the message names no sender address to answer",
     _l("the message names no sender address to answer")),
    # channels.email.smtp, channels.web.form (a reply's delivery error)
    (r"SMTP server unreachable: (?P<detail>.*)", _l("SMTP server unreachable: %(detail)s")),
    (r"recipient refused \((?P<detail>.*)\)", _l("recipient refused (%(detail)s)")),
    (r"SMTP (?P<code>\d{3}): (?P<detail>.*)", _l("SMTP %(code)s: %(detail)s")),
    (r"no outgoing mail server is configured \(HELPDESK_SMTP_URL\)",
     _l("no outgoing mail server is configured (HELPDESK_SMTP_URL)")),
    (r"bounced: (?P<detail>.*)", _l("bounced: %(detail)s")),
    # channels.telegram and services.telegram.polling (a bot's last error, a reply's)
    (r"(?P<reason>.*); the bot has a webhook \(or another poller\): set it to polling with no webhook",
     _l("%(reason)s; the bot has a webhook (or another poller): set it to polling with no webhook")),
    (r"Telegram rate limit \(retry after (?P<seconds>\d+) s\)", _l("Telegram rate limit (retry after %(seconds)s s)")),
    (r"the bot token was refused \((?P<detail>.*)\)", _l("the bot token was refused (%(detail)s)")),
    (r"Telegram unreachable \(timed out\)", _l("Telegram unreachable (timed out)")),
    (r"Telegram unreachable \((?P<detail>.*)\)", _l("Telegram unreachable (%(detail)s)")),
    (r"Telegram (?P<code>\d{3}): (?P<detail>.*)", _l("Telegram %(code)s: %(detail)s")),
    (r"no Telegram bot is configured for this ticket", _l("no Telegram bot is configured for this ticket")),
    # channels.whatsapp, channels.messenger (Graph API)
    (r"Graph API HTTP (?P<code>\d{3}): (?P<detail>.*)", _l("Graph API HTTP %(code)s: %(detail)s")),
    (r"Graph API unreachable: (?P<detail>.*)", _l("Graph API unreachable: %(detail)s")),
    # channels.safe_fetch (an outbound webhook's delivery, a provider's file)
    (r"(?P<host>\S+) answered HTTP (?P<code>\d{3})", _l("%(host)s answered HTTP %(code)s")),
    (r"resolving (?P<host>\S+) took too long", _l("resolving %(host)s took too long")),
    (r"(?P<host>\S+) does not resolve \((?P<detail>.*)\)", _l("%(host)s does not resolve (%(detail)s)")),
    (r"(?P<host>\S+) does not resolve", _l("%(host)s does not resolve")),
    (r"(?P<host>\S+) took too long", _l("%(host)s took too long")),
    (r"(?P<host>\S+) unreachable \((?P<detail>.*)\)", _l("%(host)s unreachable (%(detail)s)")),
    (r"the file is larger than (?P<limit>\d+) bytes", _l("the file is larger than %(limit)s bytes")),
    # services.replies, services.delivery_status, services.privacy
    (r"the customer has no address to reply to", _l("the customer has no address to reply to")),
    (r"the provider reported the message as failed", _l("the provider reported the message as failed")),
    (r"customer erased", _l("customer erased")),
    # services.surveys.sending.skip_reason, services.privacy.erasure (a survey that was not sent)
    (r"(?P<kind>\w+) surveys were switched off", _l("%(kind)s surveys were switched off")),
    (r"surveys are not sent through (?P<channel>\w+)", _l("surveys are not sent through %(channel)s")),
    (r"the customer opted out of surveys", _l("the customer opted out of surveys")),
    (r"the ticket was reopened before the survey went out", _l("the ticket was reopened before the survey went out")),
    (r"the customer got a (?P<kind>\w+) survey in the last (?P<days>\d+) day\(s\)",
     _l("the customer got a %(kind)s survey in the last %(days)s day(s)")),
    (r"the customer's last message was an automatic reply", _l("the customer's last message was an automatic reply")),
    (r"the customer's address bounced", _l("the customer's address bounced")),
    (r"the customer has no address on this channel", _l("the customer has no address on this channel")),
    (r"the customer was erased", _l("the customer was erased")),
    # services.sla.config (why the open tickets' clocks are recomputed)
    (r"calendar (?P<name>.+) saved", _l("calendar %(name)s saved")),
    (r"calendar (?P<name>.+) deleted", _l("calendar %(name)s deleted")),
    (r"policy (?P<name>.+) saved", _l("policy %(name)s saved")),
    (r"policy (?P<name>.+) deleted", _l("policy %(name)s deleted")),
)]


def _value(name: str, value: str):
    if name == "reason":
        return say(value)
    if name == "kind":
        return value.upper()  # a survey's kind: CSAT, NPS
    if name == "channel":
        return labels.channel_name(value)
    return number(int(value)) if name in ("size", "limit", "days") else value


def say(text: str | None) -> str:
    """`text`, a sentence stored in English, in the reader's language (as stored when its shape
    is unknown; "" for None)."""
    if not text:
        return ""
    for pattern, words in PROBLEMS:
        found = pattern.fullmatch(text)
        if found:
            return str(words) % {name: _value(name, value) for name, value in found.groupdict().items()}
    return text


def init_app(app: Flask) -> None:
    """`stored_words(text)` in templates."""
    app.jinja_env.globals.update(stored_words=say)
