"""The /chat Socket.IO namespace: who may connect, what a visitor can reach, what agents hear."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from channels.webchat.identity import identity_hash
from helpdesk.extensions import db, socketio
from helpdesk.models import Customer, Message, Ticket
from helpdesk.services import customers, replies, staff
from helpdesk.services.webchat import visitors as webchat_visitors
from helpdesk.services.webchat import widgets as webchat_widgets

NS = "/chat"
SHOP = "https://shop.example"
SECRET = "identity-secret-of-the-shop"


@pytest.fixture
def widget(app):
    staff.get_or_create_group("Support", is_default=True)
    db.session.commit()
    return webchat_widgets.add_widget("shop", [SHOP], group="Support", identity_secret=SECRET)


def visit(app, key, token=None, origin=SHOP):
    auth = {"key": key} | ({"token": token} if token else {})
    return socketio.test_client(app, namespace=NS, auth=auth, headers={"Origin": origin} if origin else None)


def welcome(client) -> dict:
    return next(r["args"][0] for r in client.get_received(NS) if r["name"] == "welcome")


def say(client, text: str) -> dict:
    return client.emit("post_message", {"text": text, "client_id": uuid.uuid4().hex}, namespace=NS, callback=True)


def named(received, name):
    return [r["args"][0] for r in received if r["name"] == name]


def test_a_visitor_gets_a_signed_token_and_the_widget_texts(app, widget):
    client = visit(app, widget.settings["key"])
    assert client.is_connected(NS)
    hello = welcome(client)
    assert webchat_visitors.read_token(widget, hello["token"]) == hello["visitor_id"]
    assert hello["config"]["greeting"] and hello["config"]["online"] is False
    # The panel shows a title, never the widget's slug (its name, for staff).
    assert (hello["config"]["title"], hello["config"]["colour"], hello["config"]["position"]) == (
        "Chat with us", "#2952cc", "bottom-right")
    assert "shop" not in hello["config"].values() and "name" not in hello["config"]
    assert hello["history"] == [] and hello["email"] is None


@pytest.mark.parametrize("origin", ["https://evil.example", "http://shop.example", "https://shop.example.evil.test", None])
def test_a_connection_from_another_origin_is_refused(app, widget, origin):
    assert not visit(app, widget.settings["key"], origin=origin).is_connected(NS)


def test_an_unknown_or_switched_off_key_is_refused(app, widget):
    assert not visit(app, "not-a-key").is_connected(NS)
    webchat_widgets.update_widget(widget, active=False)
    assert not visit(app, widget.settings["key"]).is_connected(NS)


def test_forged_and_foreign_visitor_tokens_are_refused(app, widget):
    other = webchat_widgets.add_widget("blog", ["https://blog.example"])
    token = welcome(visit(app, widget.settings["key"]))["token"]
    assert not visit(app, widget.settings["key"], token=token[:-2] + ("AA" if token[-2:] != "AA" else "BB")).is_connected(NS)
    assert not visit(app, widget.settings["key"], token="not.a.token").is_connected(NS)
    # A token is bound to its widget: the blog's widget does not accept the shop's visitor.
    assert not visit(app, other.settings["key"], token=token, origin="https://blog.example").is_connected(NS)
    # Signed with another key (the signature, not the payload, makes a token).
    with app.test_request_context():
        app.config["SECRET_KEY"], real = "someone-elses-key", app.config["SECRET_KEY"]
        forged = webchat_visitors.issue_token(widget, "visitor-of-my-choice")
        app.config["SECRET_KEY"] = real
    assert not visit(app, widget.settings["key"], token=forged).is_connected(NS)


def test_the_first_message_opens_a_webchat_ticket_through_ingest(app, widget):
    client = visit(app, widget.settings["key"])
    visitor_id = welcome(client)["visitor_id"]
    answer = client.emit("post_message", {"text": "<b>Where</b> is my order?", "client_id": "c1-abcdef", "name": "Ana",
                                     "topic": "Order 42"}, namespace=NS, callback=True)
    assert answer["ok"] is True
    ticket = db.session.get(Ticket, answer["ticket_id"])
    assert (ticket.channel, ticket.source, ticket.thread_key) == ("webchat", widget.source, visitor_id)
    assert ticket.subject == "Order 42" and ticket.group.name == "Support"
    message = db.session.get(Message, answer["id"])
    assert message.body_text == "<b>Where</b> is my order?" and message.body_html is None
    assert [(i.kind, i.address) for i in ticket.customer.identities] == [("webchat", visitor_id)]
    assert ticket.customer.name == "Ana"
    # The same client id again (a resend after a lost acknowledgement) is stored once.
    again = client.emit("post_message", {"text": "<b>Where</b> is my order?", "client_id": "c1-abcdef"}, namespace=NS,
                        callback=True)
    assert again["id"] == answer["id"]


def test_a_returning_visitor_continues_their_conversation(app, widget):
    first = visit(app, widget.settings["key"])
    token = welcome(first)["token"]
    ticket_id = say(first, "Hello")["ticket_id"]
    first.disconnect(NS)
    again = visit(app, widget.settings["key"], token=token)
    hello = welcome(again)
    assert [i["text"] for i in hello["history"]] == ["Hello"]
    assert say(again, "It's me again")["ticket_id"] == ticket_id


def test_agent_replies_reach_the_visitor_live_and_only_that_visitor(app, widget, make_user):
    ana, ben = visit(app, widget.settings["key"]), visit(app, widget.settings["key"])
    welcome(ana), welcome(ben)
    ticket = db.session.get(Ticket, say(ana, "Help, please")["ticket_id"])
    say(ben, "I am someone else")
    ana.get_received(NS), ben.get_received(NS)
    reply = replies.add_reply(ticket, make_user(name="Carla Agent"), body="<i>On it</i>, Ana")
    heard = named(ana.get_received(NS), "message_added")
    assert [(m["from"], m["author"], m["text"]) for m in heard] == [("agent", "Carla", "<i>On it</i>, Ana")]
    assert named(ben.get_received(NS), "message_added") == []
    db.session.refresh(reply)
    assert reply.delivery_state == "delivered"
    # Ben's history holds his own conversation only, whatever he asks for.
    items = ben.emit("history", {"ticket_id": ticket.id}, namespace=NS, callback=True)["items"]
    assert [i["text"] for i in items] == ["I am someone else"]


def test_a_reply_reaches_an_open_widget_without_waiting_for_a_job_thread(app, widget, make_user, monkeypatch):
    from helpdesk.jobs.queue import huey

    monkeypatch.setattr(huey, "immediate", False)  # the delivery job is queued, and no worker runs it here
    ana = visit(app, widget.settings["key"])
    welcome(ana)
    ticket = db.session.get(Ticket, say(ana, "Are you there?")["ticket_id"])
    ana.get_received(NS)
    try:
        reply = replies.add_reply(ticket, make_user(name="Carla Agent"), body="Right here")
        heard = named(ana.get_received(NS), "message_added")
        assert [(m["text"], m["state"]) for m in heard] == [("Right here", "delivered")]
        db.session.refresh(reply)
        assert (reply.delivery_state, reply.delivery_attempts) == ("delivered", 1)
    finally:
        huey.flush()  # the job left queued would find the reply delivered; nothing else may pick it up


def test_a_visitors_message_shows_in_their_other_tabs_and_nowhere_else(app, widget):
    tab, ben = visit(app, widget.settings["key"]), visit(app, widget.settings["key"])
    token = welcome(tab)["token"]
    welcome(ben)
    say(tab, "Just me, one tab")
    assert named(tab.get_received(NS), "message_added") == []
    other_tab = visit(app, widget.settings["key"], token=token)
    welcome(other_tab)
    say(tab, "Now in two tabs")
    assert [m["text"] for m in named(other_tab.get_received(NS), "message_added")] == ["Now in two tabs"]
    assert named(tab.get_received(NS), "message_added") == []
    assert named(ben.get_received(NS), "message_added") == []


def test_a_failed_hand_over_leaves_the_reply_to_its_job(app, widget, make_user, monkeypatch):
    from helpdesk.webchat import delivery

    ana = visit(app, widget.settings["key"])
    welcome(ana)
    ticket = db.session.get(Ticket, say(ana, "Hello?")["ticket_id"])
    ana.get_received(NS)
    real_emit, failures = delivery.socketio.emit, []

    def emit_failing_once(event, *args, **kwargs):
        if event == "message_added" and not failures:
            failures.append(event)
            raise RuntimeError("the push broke halfway")
        return real_emit(event, *args, **kwargs)

    monkeypatch.setattr(delivery.socketio, "emit", emit_failing_once)
    reply = replies.add_reply(ticket, make_user(), body="Still here")
    # The reply went back to the outbox; its job (run at once here) pushed it, as its first attempt.
    assert failures == ["message_added"]
    assert [m["text"] for m in named(ana.get_received(NS), "message_added")] == ["Still here"]
    db.session.refresh(reply)
    assert (reply.delivery_state, reply.delivery_attempts) == ("delivered", 1)


def test_a_visitor_cannot_join_another_visitors_room(app, widget, make_user):
    ana, ben = visit(app, widget.settings["key"]), visit(app, widget.settings["key"])
    ana_id = welcome(ana)["visitor_id"]
    welcome(ben)
    ticket = db.session.get(Ticket, say(ana, "Private")["ticket_id"])
    room = f"visitor:{widget.id}:{ana_id}"
    # No event takes a room, ticket or visitor from the client: these are simply not answered.
    for event, payload in (("join", {"room": room}), ("join_room", room), ("join_ticket", {"ticket_id": ticket.id}),
                           ("history", {"visitor_id": ana_id, "ticket_id": ticket.id})):
        answer = ben.emit(event, payload, namespace=NS, callback=True)
        assert not answer or [i["text"] for i in answer["items"]] == []
    ben.get_received(NS)
    replies.add_reply(ticket, make_user(), body="For Ana only")
    assert named(ben.get_received(NS), "message_added") == []


def test_a_reply_to_an_offline_visitor_stays_sent_and_arrives_with_the_history(app, widget, make_user):
    client = visit(app, widget.settings["key"])
    token = welcome(client)["token"]
    ticket = db.session.get(Ticket, say(client, "Anyone there?")["ticket_id"])
    client.disconnect(NS)
    reply = replies.add_reply(ticket, make_user(), body="Yes, sorry for the wait")
    assert reply.delivery_state == "sent"
    hello = welcome(visit(app, widget.settings["key"], token=token))
    assert [(i["text"], i["state"]) for i in hello["history"]] == [("Anyone there?", None),
                                                                   ("Yes, sorry for the wait", "delivered")]
    db.session.refresh(reply)
    assert reply.delivery_state == "delivered"


def test_a_visitor_who_left_with_a_confirmed_address_gets_the_reply_by_email(app, widget, make_user, smtp_server):
    client = visit(app, widget.settings["key"])
    visitor_id = welcome(client)["visitor_id"]
    ticket = db.session.get(Ticket, say(client, "Nobody online? Mail me.")["ticket_id"])
    webchat_visitors.confirm(webchat_visitors.confirmation_token(widget, visitor_id, "bo@example.com"))
    client.disconnect(NS)
    reply = replies.add_reply(ticket, make_user(), body="Here is your answer by e-mail")
    assert reply.delivery_state == "sent"
    [mail] = smtp_server.messages
    assert mail.rcpt_tos == ["bo@example.com"] and b"Here is your answer by e-mail" in mail.content
    assert f"[#{ticket.number}]".encode() in mail.content  # an answer by mail threads back onto the chat


def test_a_visitor_who_went_on_by_email_gets_replies_by_email_even_with_the_widget_open(app, widget, make_user,
                                                                                      smtp_server):
    from channels.base import InboundMessage, Sender
    from helpdesk.services.ingest import ingest

    client = visit(app, widget.settings["key"])
    hello = welcome(client)
    ticket = db.session.get(Ticket, say(client, "Mail me, please.")["ticket_id"])
    webchat_visitors.confirm(webchat_visitors.confirmation_token(widget, hello["visitor_id"], "bo@example.com"))
    ingest(InboundMessage(channel="email", source="email:support", external_id="<bo-1@example.com>",
                          sender=Sender(kind="email", address="bo@example.com"), body_text="Answering by mail now",
                          subject=f"Re: [#{ticket.number}]", ticket_hint=ticket.number))
    client.get_received(NS)
    reply = replies.add_reply(db.session.get(Ticket, ticket.id), make_user(), body="Then by mail it is")
    assert named(client.get_received(NS), "message_added") == []
    assert reply.delivery_state == "sent"
    assert [m.rcpt_tos for m in smtp_server.messages] == [["bo@example.com"]]


def test_a_visitor_can_mark_only_their_own_replies_read(app, widget, make_user):
    ana, ben = visit(app, widget.settings["key"]), visit(app, widget.settings["key"])
    welcome(ana), welcome(ben)
    ticket = db.session.get(Ticket, say(ana, "Hi")["ticket_id"])
    reply = replies.add_reply(ticket, make_user(), body="Hello!")
    say(ben, "Me too")
    assert ben.emit("read", {"up_to": reply.id}, namespace=NS, callback=True)["read"] == []
    assert ana.emit("read", {"up_to": reply.id}, namespace=NS, callback=True)["read"] == [reply.id]
    db.session.refresh(reply)
    assert reply.delivery_state == "read"
    assert ana.emit("read", {"up_to": "x"}, namespace=NS, callback=True)["ok"] is False


def test_typing_both_ways(app, widget, make_user, token_for):
    visitor = visit(app, widget.settings["key"])
    welcome(visitor)
    ticket_id = say(visitor, "Hello")["ticket_id"]
    agent = socketio.test_client(app, namespace="/agent", auth={"token": token_for(make_user(name="Dana Agent"))})
    assert agent.emit("join_ticket", {"ticket_id": ticket_id}, namespace="/agent", callback=True)["ok"]
    agent.get_received("/agent")
    # The agent opened the ticket: the visitor learns their message was seen.
    assert named(visitor.get_received(NS), "read") == [{"up_to": db.session.scalar(
        db.select(Message.id).where(Message.ticket_id == ticket_id))}]
    visitor.emit("typing", {"typing": True}, namespace=NS, callback=True)
    assert named(agent.get_received("/agent"), "chat.typing") == [{"ticket_id": ticket_id, "typing": True}]
    agent.emit("presence", {"ticket_id": ticket_id, "state": "replying"}, namespace="/agent", callback=True)
    assert named(visitor.get_received(NS), "agent")[-1] == {"name": "Dana", "typing": True}


def test_new_chats_ring_for_the_widgets_group(app, widget, make_user, token_for):
    agent = socketio.test_client(app, namespace="/agent", auth={"token": token_for(make_user(groups=("Support",)))})
    outsider = socketio.test_client(app, namespace="/agent", auth={"token": token_for(make_user(groups=("Billing",)))})
    agent.get_received("/agent"), outsider.get_received("/agent")
    visitor = visit(app, widget.settings["key"])
    welcome(visitor)
    ticket_id = say(visitor, "Hello")["ticket_id"]
    assert named(agent.get_received("/agent"), "chat.waiting") == [
        {"ticket_id": ticket_id, "group_id": widget.group_id}]
    assert named(outsider.get_received("/agent"), "chat.waiting") == []
    say(visitor, "Second message, same chat")
    assert named(agent.get_received("/agent"), "chat.waiting") == []


def test_the_widget_says_whether_an_agent_is_online(app, widget, make_user, token_for):
    visitor = visit(app, widget.settings["key"])
    assert welcome(visitor)["config"]["online"] is False
    agent = socketio.test_client(app, namespace="/agent", auth={"token": token_for(make_user(groups=("Support",)))})
    assert visitor.emit("status", namespace=NS, callback=True)["online"] is True
    agent.disconnect("/agent")
    assert visitor.emit("status", namespace=NS, callback=True)["online"] is False


def test_identity_hash_links_the_chat_to_the_existing_customer(app, widget, inbound):
    known = db.session.get(Ticket, inbound(email="ana@example.com", name="Ana Known").ticket_id).customer
    visitor = visit(app, widget.settings["key"])
    visitor_id = welcome(visitor)["visitor_id"]
    ticket_id = say(visitor, "Hello, it's Ana")["ticket_id"]
    answer = visitor.emit("identify", {"email": "Ana@Example.com", "identity_hash": identity_hash(SECRET, "ana@example.com")},
                          namespace=NS, callback=True)
    assert answer == {"ok": True, "verified": True, "email": "ana@example.com"}
    db.session.expire_all()
    assert db.session.get(Ticket, ticket_id).customer_id == known.id
    assert customers.find_identity("webchat", visitor_id).customer_id == known.id


def test_a_forged_identity_hash_links_nothing(app, widget, inbound, smtp_server):
    known = db.session.get(Ticket, inbound(email="ana@example.com").ticket_id).customer
    visitor = visit(app, widget.settings["key"])
    visitor_id = welcome(visitor)["visitor_id"]
    ticket_id = say(visitor, "Show me Ana's orders")["ticket_id"]
    forged = identity_hash("a-guessed-secret-value", "ana@example.com")
    answer = visitor.emit("identify", {"email": "ana@example.com", "identity_hash": forged}, namespace=NS, callback=True)
    assert answer["ok"] is False and answer["verified"] is False
    # Without any hash, typing the address only e-mails a confirmation link to its owner.
    answer = visitor.emit("identify", {"email": "ana@example.com", "name": "Ana"}, namespace=NS, callback=True)
    assert answer == {"ok": True, "verified": False, "confirmation_sent": True}
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket_id)
    assert ticket.customer_id != known.id
    assert [(i.kind, i.address) for i in ticket.customer.identities] == [("webchat", visitor_id)]
    assert visitor.emit("history", namespace=NS, callback=True)["items"][0]["text"] == "Show me Ana's orders"
    assert len(smtp_server.messages) == 1 and smtp_server.messages[0].rcpt_tos == ["ana@example.com"]


def test_messages_beyond_the_rate_are_refused(app, widget):
    app.config["HELPDESK_WEBCHAT_MESSAGE_RATE"] = "3 per minute"
    visitor = visit(app, widget.settings["key"])
    welcome(visitor)
    answers = [say(visitor, f"spam {n}") for n in range(5)]
    assert [a["ok"] for a in answers] == [True, True, True, False, False]
    assert "too many" in answers[-1]["error"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Message)) == 3


def test_connections_beyond_the_rate_are_refused(app, widget):
    app.config["HELPDESK_WEBCHAT_CONNECT_RATE"] = "2 per minute"  # per visitor
    app.config["HELPDESK_WEBCHAT_ADDRESS_CONNECT_RATE"] = "4 per minute"  # per IP address, any visitor
    token = welcome(visit(app, widget.settings["key"]))["token"]
    assert visit(app, widget.settings["key"], token=token).is_connected(NS)
    assert not visit(app, widget.settings["key"], token=token).is_connected(NS)
    # Three connections so far from this address: one more new visitor, then none.
    assert visit(app, widget.settings["key"]).is_connected(NS)
    assert not visit(app, widget.settings["key"]).is_connected(NS)


@pytest.mark.parametrize("payload", [None, {}, {"text": ""}, {"text": "x" * 5001, "client_id": "abcdefgh"},
                                     {"text": "hi", "client_id": "../../etc"}, "text"])
def test_malformed_messages_are_answered_not_crashed(app, widget, payload):
    visitor = visit(app, widget.settings["key"])
    welcome(visitor)
    assert visitor.emit("post_message", payload, namespace=NS, callback=True)["ok"] is False
    assert db.session.scalar(db.select(db.func.count()).select_from(Customer)) == 0


def test_the_agent_namespace_refuses_a_widgets_origin(app, widget, make_user, token_for):
    token = token_for(make_user())
    refused = socketio.test_client(app, namespace="/agent", auth={"token": token}, headers={"Origin": SHOP})
    assert not refused.is_connected("/agent")
    own = socketio.test_client(app, namespace="/agent", auth={"token": token}, headers={"Origin": "http://localhost"})
    assert own.is_connected("/agent")


def test_the_pre_chat_address_shows_on_the_customer_as_unverified_until_confirmed(app, widget, smtp_server, client,
                                                                                  make_user, login):
    from helpdesk.services.webchat import visitors as webchat_visitors

    visitor = visit(app, widget.settings["key"])
    visitor_id = welcome(visitor)["visitor_id"]
    ticket_id = say(visitor, "Where is my parcel?")["ticket_id"]
    answer = visitor.emit("identify", {"email": "Pat@Example.com", "name": "Pat"}, namespace=NS, callback=True)
    assert answer["confirmation_sent"] is True
    db.session.expire_all()
    customer = db.session.get(Ticket, ticket_id).customer
    assert customer.unverified_email == "pat@example.com"
    assert [i.kind for i in customer.identities] == ["webchat"]  # not an identity until confirmed
    login(make_user(groups=("Support",)))
    page = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert 'id="unverified-email"' in page and "pat@example.com" in page
    webchat_visitors.link_email(widget, visitor_id, "pat@example.com", proof="confirmation link")
    db.session.expire_all()
    customer = db.session.get(Ticket, ticket_id).customer
    assert customer.unverified_email is None and customer.primary_email == "pat@example.com"
    assert 'id="unverified-email"' not in client.get(f"/tickets/{ticket_id}").get_data(as_text=True)


def test_a_widget_switched_off_elsewhere_refuses_its_connected_visitors_next_message(app, widget):
    import threading

    client = visit(app, widget.settings["key"])
    welcome(client)
    assert say(client, "Hello")["ok"] is True  # the widget is cached now

    def switch_off():  # as another web process would: its own session, committed
        with app.app_context():
            webchat_widgets.update_widget(webchat_widgets.widget_by_id(widget.id), active=False)
            db.session.remove()

    thread = threading.Thread(target=switch_off)
    thread.start()
    thread.join()
    db.session.commit()
    assert say(client, "Still there?") == {"ok": False, "error": "not connected"}


def test_a_message_naming_another_conversation_goes_to_the_visitors_own(app, widget):
    other = webchat_widgets.add_widget("blog", [SHOP])
    ana, ben = visit(app, widget.settings["key"]), visit(app, other.settings["key"])
    ana_id, ben_id = welcome(ana)["visitor_id"], welcome(ben)["visitor_id"]
    ana_ticket = say(ana, "Mine")["ticket_id"]
    ana.get_received(NS)
    # Ben (another widget's visitor) names Ana's ticket, visitor and widget: his message stays his.
    answer = ben.emit("post_message", {"text": "Let me in", "client_id": uuid.uuid4().hex, "ticket_id": ana_ticket,
                                       "visitor_id": ana_id, "w": widget.id, "v": ana_id}, namespace=NS, callback=True)
    assert answer["ok"] is True and answer["ticket_id"] != ana_ticket
    ticket = db.session.get(Ticket, answer["ticket_id"])
    assert (ticket.source, ticket.thread_key) == (other.source, ben_id)
    assert named(ana.get_received(NS), "message_added") == []
    assert db.session.scalars(select(Message.body_text).where(Message.ticket_id == ana_ticket)).all() == ["Mine"]


def test_a_widgets_group_renamed_elsewhere_still_gets_its_new_chats(app, widget):
    import threading

    from helpdesk.models import Group

    assert db.session.get(Ticket, say(visit(app, widget.settings["key"]), "First")["ticket_id"]).group.name == "Support"

    def rename():  # as another web process would: its own session, committed
        with app.app_context():
            db.session.get(Group, widget.group_id).name = "Customer care"
            db.session.commit()
            db.session.remove()

    thread = threading.Thread(target=rename)
    thread.start()
    thread.join()
    db.session.commit()
    ticket = db.session.get(Ticket, say(visit(app, widget.settings["key"]), "Second")["ticket_id"])
    assert ticket.group_id == widget.group_id and ticket.group.name == "Customer care"
