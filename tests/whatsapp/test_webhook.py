"""The WhatsApp webhook: Meta's handshake, signatures over the raw body, and every kind of message
ending up on the right ticket of the right customer, once."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from channels.whatsapp import parser
from helpdesk.extensions import db
from helpdesk.models import Attachment, Customer, Group, Identity, Message, Ticket
from helpdesk.services.attachments import path_for
from tests.whatsapp import payloads
from tests.whatsapp.conftest import ACCESS_TOKEN, VERIFY_TOKEN


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _only_message() -> Message:
    return db.session.scalars(select(Message)).one()


def test_handshake_echoes_the_challenge_for_the_right_verify_token(client, account):
    response = client.get(f"/webhooks/whatsapp/{account.id}", query_string={
        "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"})
    assert response.status_code == 200 and response.get_data(as_text=True) == "1158201444"
    assert response.mimetype == "text/plain"


@pytest.mark.parametrize("params", [
    {"hub.mode": "subscribe", "hub.verify_token": "guessed", "hub.challenge": "1"},
    {"hub.mode": "subscribe", "hub.challenge": "1"},
    {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
], ids=["wrong token", "no token", "wrong mode"])
def test_handshake_is_refused_without_the_verify_token(client, account, params):
    response = client.get(f"/webhooks/whatsapp/{account.id}", query_string=params)
    assert response.status_code == 403 and "1" not in response.get_data(as_text=True)


def test_unknown_account_is_not_found(client, account):
    assert client.get("/webhooks/whatsapp/999", query_string={"hub.mode": "subscribe"}).status_code == 404
    assert client.post("/webhooks/whatsapp/999", data=b"{}").status_code == 404


@pytest.mark.parametrize("case", ["wrong secret", "missing header", "body changed after signing", "not sha256"])
def test_a_bad_signature_is_refused_before_anything_is_read(post_webhook, client, account, monkeypatch, case):
    monkeypatch.setattr(parser, "changes", lambda *a: pytest.fail("an unsigned payload was parsed"))
    payload = payloads.text("Hola, ¿me ayudáis?")
    if case == "wrong secret":
        response = post_webhook(payload, secret="not-the-app-secret")
    elif case == "missing header":
        response = post_webhook(payload, headers={"Content-Type": "application/json"})
    else:
        body, headers = payloads.signed(payload, "0c6d9f1e2b3a4c5d6e7f8091a2b3c4d5")
        if case == "not sha256":
            headers["X-Hub-Signature-256"] = headers["X-Hub-Signature-256"].replace("sha256=", "sha1=")
        else:
            body = body.replace("ayudáis".encode(), b"ayudais")
        response = client.post(f"/webhooks/whatsapp/{account.id}", data=body, headers=headers)
    assert response.status_code == 403
    assert _count(Message) == 0 and _count(Ticket) == 0 and _count(Customer) == 0


def test_a_text_opens_a_ticket_for_the_whatsapp_customer_and_the_next_continues_it(post_webhook, account):
    assert post_webhook(payloads.text("Hola, mi pedido no ha llegado")).status_code == 200
    ticket = db.session.scalars(select(Ticket)).one()
    assert (ticket.channel, ticket.source, ticket.thread_key) == ("whatsapp", account.source, payloads.CUSTOMER)
    assert ticket.subject == "Hola, mi pedido no ha llegado"
    assert ticket.customer.name == payloads.CUSTOMER_NAME
    assert [(i.kind, i.address) for i in ticket.customer.identities] == [("whatsapp", "+34600123456")]
    first = _only_message()
    assert first.external_id.startswith("wamid.") and first.sender == "Lucía Gómez <+34600123456>"
    assert post_webhook(payloads.text("Es el pedido 4411")).status_code == 200
    assert _count(Ticket) == 1 and _count(Message) == 2


def test_an_image_is_downloaded_with_the_bearer_token_and_stored(post_webhook, graph):
    photo = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x11" * 2000
    media_id = graph.add_media(photo, "image/jpeg")
    assert post_webhook(payloads.image(media_id, caption="La caja llegó rota")).status_code == 200
    message = _only_message()
    assert message.body_text == "La caja llegó rota"
    (attachment,) = message.attachments
    assert path_for(attachment.storage_key).read_bytes() == photo
    assert attachment.content_type == "image/jpeg" and attachment.filename.endswith(".jpg")
    lookups = graph.calls_to(f"/{media_id}", "GET")
    assert [c.path for c in lookups] == [f"/v21.0/{media_id}", f"/download/{media_id}"]
    assert {c.authorization for c in lookups} == {f"Bearer {ACCESS_TOKEN}"}


def test_a_document_keeps_its_file_name(post_webhook, graph):
    pdf = b"%PDF-1.4\n" + b"0" * 500 + b"\n%%EOF\n"
    media_id = graph.add_media(pdf, "application/pdf")
    assert post_webhook(payloads.document(media_id, "factura-2291.pdf")).status_code == 200
    message = _only_message()
    assert message.body_text == "[Document factura-2291.pdf]"
    assert [(a.filename, a.content_type, a.size) for a in message.attachments] == [
        ("factura-2291.pdf", "application/pdf", len(pdf))]


def test_a_location_is_written_out_with_a_map_link(post_webhook):
    payload = payloads.location(40.4168, -3.7038, "Tienda Centro", "Puerta del Sol 1, Madrid")
    assert post_webhook(payload).status_code == 200
    assert _only_message().body_text == (
        "Location: Tienda Centro, Puerta del Sol 1, Madrid\n40.4168, -3.7038\n"
        "https://www.openstreetmap.org/?mlat=40.4168&mlon=-3.7038")


def test_the_same_delivery_twice_is_stored_once_and_its_file_fetched_once(post_webhook, graph):
    media_id = graph.add_media(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "image/png")
    payload = payloads.image(media_id)
    assert post_webhook(payload).status_code == 200
    assert post_webhook(payload).status_code == 200
    assert _count(Message) == 1 and _count(Attachment) == 1 and _count(Ticket) == 1
    assert len(graph.calls_to(f"/download/{media_id}", "GET")) == 1


def test_a_file_the_api_cannot_hand_out_now_fails_the_delivery_so_meta_sends_it_again(post_webhook, graph):
    from tests.whatsapp.graph_server import graph_error

    media_id = graph.add_media(b"%PDF-1.7 tiny", "application/pdf")
    graph.download_failures.append(graph_error(2, "Service temporarily unavailable", status=503))
    payload = payloads.document(media_id, "contrato.pdf")
    assert post_webhook(payload).status_code == 500
    assert _count(Message) == 0
    assert post_webhook(payload).status_code == 200
    assert [a.filename for a in _only_message().attachments] == ["contrato.pdf"]


def test_a_file_that_is_gone_for_good_is_named_in_the_text_instead(post_webhook):
    assert post_webhook(payloads.image("999000111", caption="mira")).status_code == 200
    message = _only_message()
    assert message.attachments == []
    assert message.body_text.startswith("mira\n[image-999000111.jpg could not be downloaded:")


def test_a_number_with_a_group_files_its_tickets_there(post_webhook, account, groups):
    account.group_id = db.session.scalar(select(Group.id).where(Group.name == "Billing"))
    db.session.commit()
    assert post_webhook(payloads.text("¿Cuándo me cobráis?")).status_code == 200
    assert db.session.scalars(select(Ticket)).one().group.name == "Billing"


def test_a_failure_while_storing_answers_500_so_meta_delivers_again(post_webhook, monkeypatch):
    from helpdesk.services.meta import inbound as meta_inbound

    real = meta_inbound.ingest
    monkeypatch.setattr(meta_inbound, "ingest", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("db down")))
    payload = payloads.text("¿Hay alguien?")
    assert post_webhook(payload).status_code == 500
    monkeypatch.setattr(meta_inbound, "ingest", real)
    assert post_webhook(payload).status_code == 200 and _count(Message) == 1


def test_one_customer_across_channels_a_known_phone_number_joins_its_customer(post_webhook, inbound):
    from helpdesk.services import customers

    known = customers.create_customer(name="Lucía Gómez Ruiz",
                                      identities=[("email", "lucia@example.es"), ("phone", "+34 600 12 34 56")])
    by_mail = inbound(email="lucia@example.es", body="Escribo por correo")
    assert post_webhook(payloads.text("Y ahora por WhatsApp")).status_code == 200
    whatsapp_ticket = db.session.scalar(select(Ticket).where(Ticket.channel == "whatsapp"))
    assert whatsapp_ticket.customer_id == known.id != None  # noqa: E711
    assert db.session.get(Ticket, by_mail.ticket_id).customer_id == known.id
    assert _count(Customer) == 1
    kinds = db.session.scalars(select(Identity.kind).where(Identity.customer_id == known.id).order_by(Identity.id))
    assert list(kinds) == ["email", "phone", "whatsapp"]
    assert customers.customer_ticket_ids(known.id) == [whatsapp_ticket.id, by_mail.ticket_id]


def test_a_swipe_reply_to_a_message_of_a_closed_ticket_continues_todays_conversation(post_webhook, account):
    assert post_webhook(payloads.text("Primera consulta", message_id="wamid.OLD==")).status_code == 200
    old = db.session.scalars(select(Ticket)).one()
    old.status = "closed"
    db.session.commit()
    assert post_webhook(payloads.text("Otra consulta")).status_code == 200
    assert post_webhook(payloads.text("Como os dije", context={"from": payloads.CUSTOMER, "id": "wamid.OLD=="}))
    tickets = db.session.scalars(select(Ticket).order_by(Ticket.id)).all()
    assert [len(db.session.scalars(select(Message).where(Message.ticket_id == t.id)).all()) for t in tickets] == [1, 2]


def test_a_reaction_joins_the_open_conversation_but_never_opens_one(post_webhook):
    reaction = {"message_id": "wamid.OURS==", "emoji": "\U0001F44D"}
    assert post_webhook(payloads.inbound("reaction", reaction)).status_code == 200
    assert _count(Ticket) == 0
    assert post_webhook(payloads.text("Gracias")).status_code == 200
    assert post_webhook(payloads.inbound("reaction", reaction)).status_code == 200
    ticket = db.session.scalars(select(Ticket)).one()
    bodies = db.session.scalars(select(Message.body_text).where(Message.ticket_id == ticket.id).order_by(Message.id))
    assert list(bodies) == ["Gracias", "Reacted \U0001F44D to a message"]


@pytest.mark.parametrize("url", ["file:///{instance}/secret_key", "http://127.0.0.1:{port}/download/{media}",
                                 "http://0x7f000001:{graph_port}/download/{media}", "http://169.254.169.254/latest"])
def test_a_media_url_naming_a_local_file_or_an_inside_address_is_not_fetched(post_webhook, graph, app, url):
    from tests.support import free_port

    media_id = graph.add_media(b"\x89PNG\r\n\x1a\n", "image/png")
    graph.media_urls[media_id] = url.format(instance=app.instance_path.lstrip("/"), port=free_port(), media=media_id,
                                            graph_port=graph.base_url.rpartition(":")[2])
    assert post_webhook(payloads.image(media_id, caption="mira")).status_code == 200
    message = _only_message()
    assert message.attachments == [] and _count(Ticket) == 1
    assert message.body_text.startswith(f"mira\n[image-{media_id}.jpg could not be downloaded:")
    assert "not allowed" in message.body_text
    assert graph.calls_to(f"/download/{media_id}", "GET") == []


@pytest.mark.parametrize("kind", ["lone surrogate", "deep"])
def test_a_signed_delivery_of_json_no_handler_can_take_is_a_400_and_nothing_is_stored(client, account, kind):
    from channels.whatsapp.signature import sign
    from tests.whatsapp.conftest import APP_SECRET

    # json.dumps escapes the lone surrogate as \ud83d: valid JSON text, no valid string.
    body = (json.dumps(payloads.text("hola \ud83d")) if kind == "lone surrogate" else "[" * 100_000 + "]" * 100_000)
    response = client.post(f"/webhooks/whatsapp/{account.id}", data=body.encode(), headers={
        "Content-Type": "application/json", "X-Hub-Signature-256": sign(body.encode(), APP_SECRET)})
    assert (response.status_code, response.get_data(as_text=True)) == (400, "not JSON")
    assert _count(Message) == 0
