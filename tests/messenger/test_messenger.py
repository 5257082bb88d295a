"""Messenger end to end: the same signed webhook envelope (object "page"), customer messages and
files in, agent replies out through the Send API, deliveries and read watermarks onto replies."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import ChannelAccount, Message, Ticket
from helpdesk.services import replies
from helpdesk.services.attachments import path_for
from tests.messenger import events
from tests.messenger.conftest import PAGE_TOKEN
from tests.whatsapp.graph_server import graph_error


def _ticket() -> Ticket:
    return db.session.scalars(select(Ticket)).one()


def _reply(agent, body="Hola Ana, ya lo miramos.") -> Message:
    message = replies.add_reply(_ticket(), agent, body=body)
    db.session.refresh(message)
    return message


def _state(message: Message) -> str:
    db.session.commit()
    db.session.refresh(message)
    return message.delivery_state


def test_handshake_and_signature_guard_the_page_webhook(client, page, post_webhook):
    ok = client.get(f"/webhooks/messenger/{page.id}", query_string={
        "hub.mode": "subscribe", "hub.verify_token": "page-verify", "hub.challenge": "CHALLENGE_ACCEPTED"})
    assert ok.status_code == 200 and ok.get_data(as_text=True) == "CHALLENGE_ACCEPTED"
    assert client.get(f"/webhooks/messenger/{page.id}", query_string={
        "hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "x"}).status_code == 403
    assert post_webhook(events.text("hola"), secret="wrong").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0
    assert client.get(f"/webhooks/whatsapp/{page.id}", query_string={"hub.mode": "subscribe"}).status_code == 404


def test_a_message_opens_a_ticket_named_by_the_page_profile_and_echoes_are_ignored(post_webhook, page, graph):
    assert post_webhook(events.text("¿Hacéis envíos a Canarias?")).status_code == 200
    assert post_webhook(events.echo("Respuesta escrita desde la Page")).status_code == 200
    ticket = _ticket()
    assert (ticket.channel, ticket.source, ticket.thread_key) == ("messenger", page.source, events.PSID)
    assert ticket.customer.name == events.NAME
    assert [(i.kind, i.address) for i in ticket.customer.identities] == [("messenger", events.PSID)]
    assert db.session.scalars(select(Message.body_text)).all() == ["¿Hacéis envíos a Canarias?"]
    assert post_webhook(events.text("Es para Tenerife")).status_code == 200
    assert len(graph.calls_to(f"/{events.PSID}?fields=name", "GET")) == 1  # asked once, for the new customer


def test_a_file_is_fetched_from_its_signed_link_without_the_page_token(post_webhook, graph):
    photo = b"\x89PNG\r\n\x1a\n" + b"\x07" * 700
    url = graph.add_cdn_file("387164_n.png", photo, "image/png")
    assert post_webhook(events.attachment("image", url)).status_code == 200
    message = db.session.scalars(select(Message)).one()
    assert message.body_text == "[Image]"
    (stored,) = message.attachments
    assert stored.filename == "387164_n.png" and path_for(stored.storage_key).read_bytes() == photo
    assert [c.authorization for c in graph.calls if c.path.startswith("/cdn/")] == [None]


def test_the_same_delivery_twice_is_stored_once(post_webhook):
    payload = events.text("duplicado", message_id="m_same")
    assert post_webhook(payload).status_code == 200 and post_webhook(payload).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Message)) == 1


def test_a_reply_goes_out_through_the_send_api_and_deliveries_and_reads_move_it_forward(post_webhook, graph,
                                                                                        make_user, groups):
    assert post_webhook(events.text("hola")).status_code == 200
    agent = make_user(groups=("Support",))
    first = _reply(agent)
    ((message_id, body),) = graph.sent
    assert body == {"recipient": {"id": events.PSID}, "messaging_type": "RESPONSE",
                    "message": {"text": "Hola Ana, ya lo miramos."}}
    assert graph.calls_to("/messages")[0].authorization == f"Bearer {PAGE_TOKEN}"
    assert (first.delivery_state, first.provider_id) == ("sent", message_id)
    assert post_webhook(events.delivery([message_id], events.now_ms())).status_code == 200
    assert _state(first) == "delivered"
    before_second = events.now_ms()
    time.sleep(0.01)
    second = _reply(agent, body="¿Algo más?")
    assert post_webhook(events.read(before_second)).status_code == 200
    assert (_state(first), _state(second)) == ("read", "sent")  # the watermark covers only what came before
    assert post_webhook(events.read(events.now_ms() + 1000)).status_code == 200
    assert _state(second) == "read"
    assert post_webhook(events.delivery([second.provider_id], events.now_ms())).status_code == 200
    assert _state(second) == "read"


def test_outside_the_24_hour_window_the_reply_fails_with_a_clear_reason(post_webhook, graph, make_user, groups):
    assert post_webhook(events.text("hola")).status_code == 200
    graph.failures.append(graph_error(10, "This message is sent outside of allowed window.", subcode=2018278))
    message = _reply(make_user(groups=("Support",)))
    assert message.delivery_state == "failed"
    assert message.delivery_error.startswith("the 24-hour messaging window is closed")


def test_a_rate_limit_is_retried_and_a_file_goes_as_an_uploaded_attachment(post_webhook, graph, make_user, groups):
    from channels.base import Attachment as OutgoingFile

    assert post_webhook(events.text("¿me mandáis la factura?")).status_code == 200
    graph.failures.append(graph_error(613, "Calls to this api have exceeded the rate limit."))
    pdf = b"%PDF-1.4\n%%EOF\n"
    message = replies.add_reply(_ticket(), make_user(groups=("Support",)), body="Adjunta.",
                                files=(OutgoingFile("factura.pdf", pdf, "application/pdf"),))
    assert _state(message) == "queued" and "613" in message.delivery_error
    assert replies.deliver(message.id).state == "sent"
    (_, text), (_, file) = graph.sent
    assert text["message"] == {"text": "Adjunta."}
    attachment_id = file["message"]["attachment"]["payload"]["attachment_id"]
    assert file["message"]["attachment"]["type"] == "file" and graph.media[attachment_id] == (pdf, "application/pdf")


def test_add_messenger_stores_a_page_with_sealed_secrets(app, groups):
    result = app.test_cli_runner().invoke(
        args=["channels", "add-messenger", "soporte", "--page-id", "1122334455", "--access-token-stdin",
              "--app-secret-stdin"], input="EAAJ-page\nsecret-2\n")
    assert result.exit_code == 0, result.output
    account = db.session.scalars(select(ChannelAccount)).one()
    assert (account.kind, account.settings["page_id"]) == ("messenger", "1122334455")
    assert "EAAJ-page" not in account.secrets_sealed and f"/webhooks/messenger/{account.id}" in result.output
    bad = app.test_cli_runner().invoke(args=["channels", "add-messenger", "x", "--page-id", "not-a-page",
                                             "--access-token-stdin", "--app-secret-stdin"], input="a\nb\n")
    assert bad.exit_code != 0 and "page_id" in bad.output
