"""Sentences stored in English (a mailbox's and a bot's last error, a failed mail, a reply that was
not delivered, why a survey was not sent, why the SLA clocks are recomputed) read in the admin's or
agent's language, with the technical detail (host, the server's answer) kept as written; words of
an unknown shape as stored. A duplicate customer's reason, worked out when shown, too."""

from __future__ import annotations

import html

import pytest

from helpdesk.extensions import db
from helpdesk.i18n import in_language, stored
from helpdesk.models import ChannelAccount, Message, SlaRecompute, Survey, Ticket, Webhook, WebhookDelivery
from helpdesk.models.base import utcnow
from helpdesk.services import customers, replies
from helpdesk.services.mail import mailboxes
from helpdesk.services.mail import sync as mail_sync


@pytest.fixture
def admin(reader):
    """admin(language) -> a signed-in admin reading the console in `language`."""
    return lambda language: reader(language, role="admin")


def _page(client, path: str) -> str:
    return html.unescape(client.get(path).get_data(as_text=True))


@pytest.mark.parametrize(("language", "words"), [
    ("es", ["no se puede conectar con el servidor IMAP imap.example:993: TimeoutError",
            "el mensaje ocupa 1.234.567 bytes, más que el límite de 1.000 bytes"]),
    ("zh", ["无法连接 IMAP 服务器 imap.example:993：TimeoutError", "邮件大小为 1,234,567 字节，超过 1,000 字节的上限"]),
])
def test_a_mailbox_error_and_a_failed_mail_read_in_the_admins_language(app, client, admin, language, words):
    box = mailboxes.add_mailbox(name="support", address="support@helpdesk.example", imap_host="imap.example",
                                imap_port=993, imap_user="support", imap_password="secret")
    box.last_error = "IMAP server imap.example:993 unreachable: TimeoutError"
    db.session.commit()
    app.config["HELPDESK_MAX_MAIL_BYTES"] = 1000
    assert mail_sync.take(box, b"Subject: big\r\n\r\nx", size=1_234_567) == ("failed", None)
    admin(language)
    page = _page(client, "/admin/mail/")
    for word in words:
        assert word in page, word
    assert ">IMAP server imap.example:993 unreachable" not in page and "over the 1000-byte limit</td>" not in page
    # the stored words stay at hand, as the adapter said them
    assert 'title="IMAP server imap.example:993 unreachable: TimeoutError"' in page


@pytest.mark.parametrize(("language", "words"), [
    ("es", "Telegram respondió 401: Unauthorized"), ("zh", "Telegram 返回 401：Unauthorized")])
def test_a_bots_last_error_reads_in_the_admins_language(client, admin, language, words):
    db.session.add(ChannelAccount(kind="telegram", name="support_bot", active=True, last_error="Telegram 401: Unauthorized",
                                  settings={"bot_username": "support_bot", "mode": "polling"}))
    db.session.commit()
    admin(language)
    page = _page(client, "/admin/channels/")
    assert words in page and ">Telegram 401: Unauthorized<" not in page


@pytest.mark.parametrize(("language", "words"), [
    ("es", "no se puede conectar con el servidor SMTP: ConnectionRefusedError"),
    ("zh", "无法连接 SMTP 服务器：ConnectionRefusedError")])
def test_an_undelivered_reply_says_why_in_the_agents_language(client, groups, inbound, admin, language, words):
    user = admin(language)
    ticket = db.session.get(Ticket, inbound(subject="Undelivered").ticket_id)
    message = replies.add_reply(ticket, user, body="We are on it")
    db.session.get(Message, message.id).delivery_state = "failed"
    db.session.get(Message, message.id).delivery_error = "SMTP server unreachable: ConnectionRefusedError"
    db.session.commit()
    page = _page(client, f"/tickets/{ticket.id}")
    assert words in page and ">SMTP server unreachable" not in page


def test_every_known_failure_reads_translated_and_an_unknown_one_as_stored(app):
    from channels.telegram.client import TelegramApiError  # noqa: F401 - the adapter whose words are matched

    samples = [mail_sync.BUSY_ERROR, "IMAP login to imap.example refused: [AUTHENTICATIONFAILED] no",
               "connection lost: ConnectionResetError", "recipient refused ([550])", "SMTP 554: 'spam'",
               "no outgoing mail server is configured (HELPDESK_SMTP_URL)", "bounced: a@b.example: 5.1.1 unknown",
               "Telegram 409: Conflict; the bot has a webhook (or another poller): set it to polling with no webhook",
               "Telegram rate limit (retry after 30 s)", "the bot token was refused (401 Unauthorized)",
               "Telegram unreachable (timed out)", "Telegram unreachable (ConnectError)",
               "no Telegram bot is configured for this ticket", "Graph API HTTP 400: (#100) bad",
               "Graph API unreachable: timed out", "the customer has no address to reply to",
               "the provider reported the message as failed", "customer erased",
               "MailRejected: the message names no sender address to answer", "csat surveys were switched off",
               "surveys are not sent through whatsapp", "the customer got a nps survey in the last 30 day(s)",
               "the ticket was reopened before the survey went out", "the customer's last message was an automatic reply",
               "the customer's address bounced", "the customer has no address on this channel", "the customer was erased",
               "calendar Spain deleted", "calendar Spain saved", "policy Gold deleted",
               "crm.example answered HTTP 502", "resolving crm.example took too long", "crm.example does not resolve",
               "crm.example does not resolve (gaierror)", "crm.example took too long",
               "crm.example unreachable (ConnectionRefusedError)", "the file is larger than 1000 bytes"]
    with app.test_request_context(), in_language("es"):
        for sample in samples:
            assert stored.say(sample) != sample, sample
        assert stored.say("Telegram 409: Conflict; the bot has a webhook (or another poller): set it to polling "
                            "with no webhook").startswith("Telegram respondió 409: Conflict; ")
        assert stored.say("KeyError: 'x'") == "KeyError: 'x'" and stored.say(None) == ""


@pytest.mark.parametrize(("language", "words"), [
    ("es", ["<strong>omitida</strong>", "el cliente no quiere recibir encuestas", "reabrió el ticket"]),
    ("zh", ["<strong>已跳过</strong>", "客户拒绝接收调查", "已重新打开工单"]),
])
def test_a_skipped_survey_says_why_in_the_agents_language(client, groups, inbound, admin, language, words):
    admin(language)
    ticket = db.session.get(Ticket, inbound(subject="Surveyed").ticket_id)
    for state, skip, follow_up in (("skipped", "the customer opted out of surveys", None), ("answered", None, "reopened")):
        db.session.add(Survey(kind="csat", ticket_id=ticket.id, customer_id=ticket.customer_id, channel="email",
                              priority=0, solved_at=utcnow(), state=state, skip_reason=skip, follow_up_done=follow_up,
                              reference=f"ref-{state}", scheduled_for=utcnow()))
    db.session.commit()
    page = _page(client, f"/tickets/{ticket.id}")
    for word in words:
        assert word in page, word
    assert "<strong>skipped</strong>" not in page and "· reopened" not in page


@pytest.mark.parametrize(("language", "words"), [("es", "mismo nombre Lucía Fernández"),
                                                  ("zh", "姓名相同：Lucía Fernández")])
def test_a_likely_duplicate_says_why_in_the_agents_language(client, groups, admin, language, words):
    admin(language)
    first = customers.create_customer(name="Lucía Fernández", identities=[("email", "lucia@example.com")])
    customers.create_customer(name="Lucía Fernández", identities=[("telegram", "5550002")])
    db.session.commit()
    page = _page(client, f"/customers/{first.id}")
    assert words in page and "same name" not in page


@pytest.mark.parametrize(("language", "words"), [("es", "política Gold guardada"), ("zh", "已保存策略 Gold")])
def test_the_sla_page_says_why_it_recomputed_in_the_admins_language(client, admin, language, words):
    db.session.add(SlaRecompute(reason="policy Gold saved", state="done", total=1, done=1))
    db.session.commit()
    admin(language)
    page = _page(client, "/admin/sla")
    assert words in page and "(policy Gold saved)" not in page


@pytest.mark.parametrize(("language", "words"), [("es", "crm.example respondió HTTP 502"),
                                                  ("zh", "crm.example 返回 HTTP 502")])
def test_a_webhook_delivery_says_why_it_failed_in_the_admins_language(client, admin, language, words):
    hook = Webhook(name="CRM", url="https://crm.example/hook", events=["ticket.created"], secret_sealed="sealed")
    db.session.add(hook)
    db.session.flush()
    db.session.add(WebhookDelivery(webhook_id=hook.id, event="ticket.created", body="{}", state="failed",
                                   response_code=502, error="crm.example answered HTTP 502"))
    db.session.commit()
    admin(language)
    page = _page(client, f"/admin/webhooks/{hook.id}/deliveries")
    assert words in page and ">crm.example answered HTTP 502<" not in page
