"""Web chat services: widgets and their origins, visitor proof of address, conversations, the queue."""

from __future__ import annotations

import uuid

import pytest

from channels.base import Attachment
from helpdesk.extensions import db
from helpdesk.models import Message, Ticket
from helpdesk.services import customers, replies, staff
from helpdesk.services.webchat import live_chat
from helpdesk.services.webchat import messages as webchat_messages
from helpdesk.services.webchat import visitors as webchat_visitors
from helpdesk.services.webchat import widgets as webchat_widgets
from helpdesk.services.webchat.messages import ChatMessageError
from helpdesk.services.webchat.widgets import WidgetError

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def widget(app):
    staff.get_or_create_group("Support", is_default=True)
    db.session.commit()
    return webchat_widgets.add_widget("shop", ["https://Shop.example/", "http://localhost:8080"])


def write(widget, visitor_id="visitor-1", text="Hello", client_id=None, **fields):
    return webchat_messages.post(widget, visitor_id, text=text, client_id=client_id or uuid.uuid4().hex,
                                 **fields)


@pytest.mark.parametrize("origin, expected", [("https://Shop.example/", "https://shop.example"),
                                              ("https://shop.example:443", "https://shop.example"),
                                              ("http://127.0.0.1:8000", "http://127.0.0.1:8000")])
def test_origins_are_stored_as_browsers_send_them(origin, expected):
    assert webchat_widgets.normalise_origin(origin) == expected


@pytest.mark.parametrize("origin", ["shop.example", "https://shop.example/path", "https://*.shop.example", "ftp://shop.example",
                                    "https://user:pw@shop.example", ""])
def test_anything_but_an_origin_is_refused(origin):
    with pytest.raises(WidgetError):
        webchat_widgets.normalise_origin(origin)


def test_a_widget_has_a_random_key_and_its_origins(widget):
    assert len(widget.settings["key"]) >= 24
    assert widget.settings["origins"] == ["http://localhost:8080", "https://shop.example"]
    assert webchat_widgets.widget_for_key(widget.settings["key"]).id == widget.id
    assert webchat_widgets.origin_allowed(widget, "https://shop.example")
    assert not webchat_widgets.origin_allowed(widget, "https://shop.example.evil.test")
    assert not webchat_widgets.origin_allowed(widget, None)
    assert webchat_widgets.embedding_origins() == {"http://localhost:8080", "https://shop.example"}
    webchat_widgets.update_widget(widget, active=False)
    assert webchat_widgets.widget_for_key(widget.settings["key"]) is None
    assert webchat_widgets.embedding_origins() == set()


def test_a_widget_needs_an_origin_a_unique_name_and_a_long_enough_secret(widget):
    with pytest.raises(WidgetError, match="origin"):
        webchat_widgets.add_widget("blog", [])
    with pytest.raises(WidgetError, match="name"):
        webchat_widgets.add_widget("shop", ["https://other.example"])
    with pytest.raises(WidgetError, match="identity_secret"):
        webchat_widgets.add_widget("blog", ["https://blog.example"], identity_secret="short")
    blog = webchat_widgets.add_widget("blog", ["https://blog.example"], identity_secret="x" * 20)
    assert blog.settings["identity_verification"] and "x" * 20 not in blog.secrets_sealed
    assert webchat_widgets.identity_secret(blog) == "x" * 20
    webchat_widgets.update_widget(blog, clear_identity_secret=True)
    assert webchat_widgets.identity_secret(blog) is None and not blog.settings["identity_verification"]


def test_visitor_messages_become_one_webchat_ticket_per_conversation(widget):
    first = write(widget, text="Hello", subject="Delivery")
    second = write(widget, text="Are you there?")
    assert first.created_ticket and second.ticket_id == first.ticket_id and not second.created_ticket
    ticket = db.session.get(Ticket, first.ticket_id)
    assert (ticket.channel, ticket.subject, ticket.group.name) == ("webchat", "Delivery", "Support")
    ticket.status = "closed"
    db.session.commit()
    assert write(widget, text="New question").ticket_id != first.ticket_id  # a closed chat stays closed


def test_a_visitor_message_needs_text_or_a_file_and_a_client_id(widget):
    with pytest.raises(ChatMessageError, match="text"):
        write(widget, text="   ")
    with pytest.raises(ChatMessageError, match="client_id"):
        write(widget, client_id="a b")
    result = webchat_messages.post(widget, "visitor-1", text="", client_id="file-1",
                                   files=(Attachment("shot.png", PNG, "image/png"),))
    message = db.session.get(Message, result.message_id)
    assert message.body_text == "Sent shot.png" and message.attachments[0].content_type == "image/png"


def test_uploads_are_checked_by_their_bytes_and_size(app, widget):
    assert webchat_messages.check_upload("shot.png", PNG).content_type == "image/png"
    assert webchat_messages.check_upload("notes.txt", b"plain words").content_type == "text/plain"
    with pytest.raises(ChatMessageError, match="picture"):
        webchat_messages.check_upload("innocent.png", b"MZ\x90\x00" + b"\x00" * 100)  # a Windows program
    with pytest.raises(ChatMessageError, match="picture"):
        webchat_messages.check_upload("page.html", b"<html><script>alert(1)</script>")
    app.config["HELPDESK_WEBCHAT_UPLOAD_BYTES"] = 10
    with pytest.raises(ChatMessageError, match="larger"):
        webchat_messages.check_upload("shot.png", PNG)


def test_history_shows_the_visitors_conversation_without_internal_notes(widget, make_user):
    ticket = db.session.get(Ticket, write(widget, text="Hello").ticket_id)
    agent = make_user(name="Ana Agent")
    replies.add_reply(ticket, agent, body="Internal: VIP?", internal=True)
    replies.add_reply(ticket, agent, body="Hello, how can I help?")
    write(widget, visitor_id="someone-else", text="Not yours")
    items = webchat_messages.history(widget, "visitor-1")
    assert [(i["from"], i["author"], i["text"]) for i in items] == [("visitor", None, "Hello"),
                                                                   ("agent", "Ana", "Hello, how can I help?")]


def test_file_links_open_for_that_visitors_files_only(app, widget, make_user):
    result = webchat_messages.post(widget, "visitor-1", text="", client_id="file-1",
                                   files=(Attachment("shot.png", PNG, "image/png"),))
    attachment = db.session.get(Message, result.message_id).attachments[0]
    link = webchat_messages.file_link(attachment, "visitor-1")
    assert webchat_messages.attachment_for_link(link.rsplit("/", 1)[1]).id == attachment.id
    assert webchat_messages.attachment_for_link(webchat_messages.file_link(attachment, "visitor-2").rsplit("/", 1)[1]) is None
    assert webchat_messages.attachment_for_link("forged") is None
    ticket = db.session.get(Ticket, result.ticket_id)
    note = replies.add_reply(ticket, make_user(), body="scan", internal=True, files=(Attachment("x.png", PNG, "image/png"),))
    assert webchat_messages.attachment_for_link(webchat_messages.file_link(note.attachments[0], "visitor-1").rsplit("/", 1)[1]) is None


def test_a_confirmed_address_joins_the_existing_customer(app, widget, inbound):
    known = db.session.get(Ticket, inbound(email="ana@example.com").ticket_id).customer_id
    ticket_id = write(widget, text="Hi").ticket_id
    token = webchat_visitors.confirmation_token(widget, "visitor-1", "ANA@example.com")
    assert webchat_visitors.confirm(token[:-3] + "abc") is None
    assert db.session.get(Ticket, ticket_id).customer_id != known
    assert webchat_visitors.confirm(token) == "ana@example.com"
    db.session.expire_all()
    assert db.session.get(Ticket, ticket_id).customer_id == known
    assert webchat_visitors.verified_email("visitor-1") == "ana@example.com"


def test_a_confirmed_new_address_is_added_to_the_visitor(widget):
    write(widget, text="Hi", name="Bo")
    webchat_visitors.confirm(webchat_visitors.confirmation_token(widget, "visitor-1", "bo@example.com"))
    customer = webchat_visitors.visitor_customer("visitor-1")
    assert sorted((i.kind, i.address) for i in customer.identities) == [("email", "bo@example.com"), ("webchat", "visitor-1")]


def test_a_visitor_cannot_rename_a_customer_they_merely_claim(widget, inbound):
    inbound(email="ana@example.com", name="Ana Real")
    webchat_visitors.link_email(widget, "visitor-1", "ana@example.com", proof="test")
    webchat_visitors.rename("visitor-1", "Mallory")
    assert customers.find_identity("email", "ana@example.com").customer.name == "Ana Real"
    write(widget, visitor_id="visitor-2", text="Hi")
    webchat_visitors.rename("visitor-2", "  Bo   Visitor ")
    assert webchat_visitors.visitor_customer("visitor-2").name == "Bo Visitor"


def test_read_state_moves_forward_only(widget, make_user):
    ticket = db.session.get(Ticket, write(widget).ticket_id)
    reply = replies.add_reply(ticket, make_user(), body="Hello")
    assert reply.delivery_state == "sent"  # nobody connected: it waits for the widget
    assert webchat_messages.mark_read(widget, "visitor-1", reply.id) == [reply.id]
    assert webchat_messages.mark_delivered(widget, "visitor-1", [reply.id]) == []
    db.session.refresh(reply)
    assert reply.delivery_state == "read"


def test_the_queue_splits_waiting_mine_and_others(widget, make_user):
    ana, ben = make_user(name="Ana"), make_user(name="Ben")
    waiting = db.session.get(Ticket, write(widget, visitor_id="v1").ticket_id)
    taken = db.session.get(Ticket, write(widget, visitor_id="v2").ticket_id)
    live_chat.accept(taken, ben)
    queue = live_chat.queue(ana)
    assert ([t.id for t in queue.waiting], queue.mine, [t.id for t in queue.others]) == ([waiting.id], [], [taken.id])
    with pytest.raises(live_chat.ChatError, match="Ben"):
        live_chat.accept(taken, ana)
    live_chat.accept(waiting, ana)
    assert (waiting.assignee_id, waiting.status) == (ana.id, "open")
    live_chat.transfer(waiting, ana, assignee_id=ben.id)
    assert waiting.assignee_id == ben.id
    billing = staff.get_or_create_group("Billing")
    db.session.commit()
    live_chat.transfer(waiting, ben, group_id=billing.id)
    assert (waiting.group_id, waiting.assignee_id) == (billing.id, None)
    assert [t.id for t in live_chat.queue(ana).waiting] == []  # Ana is not in Billing


def test_accepting_an_email_ticket_is_refused(widget, make_user, inbound):
    ticket = db.session.get(Ticket, inbound().ticket_id)
    with pytest.raises(live_chat.ChatError):
        live_chat.accept(ticket, make_user())
