"""Agent replies out through the Graph API messages endpoint, and the status callbacks that follow
them: states only move forward, failures say why, rate limits are retried, and a callback that
overtakes its send's receipt is kept until the receipt lands."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import select

from channels.base import Attachment as OutgoingFile
from helpdesk.extensions import db
from helpdesk.jobs.queue import huey
from helpdesk.models import Message, Ticket
from helpdesk.services import events, replies
from tests.whatsapp import payloads
from tests.whatsapp.graph_server import graph_error

LATER = datetime.datetime(2100, 1, 1)  # when every job scheduled now is due


@pytest.fixture
def ticket(post_webhook, account):
    assert post_webhook(payloads.text("¿Tenéis la talla M?")).status_code == 200
    return db.session.scalars(select(Ticket)).one()


@pytest.fixture
def agent(make_user, groups):
    return make_user(groups=("Support",))


@pytest.fixture
def updates():
    """The `message.updated` events published while the test runs."""
    seen: list[dict] = []

    def record(sender, payload):
        seen.append(payload)

    events.message_updated.connect(record)
    yield seen
    events.message_updated.disconnect(record)


def _reply(ticket, agent, body="Sí, la tenemos en azul y en negro.", **kwargs) -> Message:
    message = replies.add_reply(ticket, agent, body=body, **kwargs)
    db.session.refresh(message)
    return message


def _state(message: Message) -> str:
    db.session.commit()  # end this session's read snapshot: jobs and other threads write through their own
    db.session.refresh(message)
    return message.delivery_state


def test_a_reply_goes_out_as_a_text_and_its_wamid_and_state_are_shown(ticket, agent, graph, client, login,
                                                                      post_webhook):
    message = _reply(ticket, agent)
    ((wamid, sent),) = graph.sent
    assert sent == {"messaging_product": "whatsapp", "recipient_type": "individual", "to": payloads.CUSTOMER,
                    "type": "text", "text": {"preview_url": False, "body": "Sí, la tenemos en azul y en negro."}}
    assert graph.calls_to("/messages")[0].authorization == "Bearer EAAGm0PX4ZCpsBAKtest-token"
    assert (message.delivery_state, message.provider_id) == ("sent", wamid)
    login(agent)
    fragment = client.get(f"/tickets/{ticket.id}/messages/{message.id}").get_data(as_text=True)
    assert 'data-delivery-state="sent"' in fragment
    assert post_webhook(payloads.status(wamid, "read")).status_code == 200
    fragment = client.get(f"/tickets/{ticket.id}/messages/{message.id}").get_data(as_text=True)
    assert 'data-delivery-state="read"' in fragment


@pytest.mark.parametrize("order", [("sent", "delivered", "read"), ("read", "delivered", "sent"),
                                   ("delivered", "read", "sent", "delivered")])
def test_statuses_only_move_forward_whatever_order_they_arrive_in(ticket, agent, post_webhook, updates, order):
    message = _reply(ticket, agent)
    updates.clear()
    for state in order:
        assert post_webhook(payloads.status(message.provider_id, state)).status_code == 200
    assert _state(message) == "read"
    moves = [u["delivery_state"] for u in updates if u["message_id"] == message.id]
    assert moves == [s for i, s in enumerate(order) if s != "sent" and s not in order[:i] and
                     not (s == "delivered" and "read" in order[:i])]


def test_a_failed_status_records_why_and_stays_failed(ticket, agent, post_webhook, updates):
    message = _reply(ticket, agent)
    errors = [{"code": 131026, "title": "Message undeliverable", "message": "Message undeliverable",
               "error_data": {"details": "Message Undeliverable."},
               "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}]
    assert post_webhook(payloads.status(message.provider_id, "failed", errors=errors)).status_code == 200
    assert _state(message) == "failed"
    assert message.delivery_error == ("WhatsApp could not deliver to this number (not on WhatsApp, an outdated app, "
                                      "or terms not accepted) (Message undeliverable (131026): Message Undeliverable.)")
    assert updates[-1] | {"message_id": message.id} == updates[-1] and updates[-1]["delivery_state"] == "failed"
    assert post_webhook(payloads.status(message.provider_id, "delivered")).status_code == 200
    assert _state(message) == "failed"


def test_a_status_for_a_message_we_never_sent_is_ignored(ticket, post_webhook):
    before = huey.scheduled_count()
    assert post_webhook(payloads.status("wamid.SOMEONE-ELSES==", "delivered")).status_code == 200
    assert huey.scheduled_count() == before


def test_a_closed_24_hour_window_fails_the_reply_for_good_with_a_clear_reason(ticket, agent, graph):
    graph.failures.append(graph_error(
        131047, "Re-engagement message", subcode=2494010,
        details="Message failed to send because more than 24 hours have passed since the customer last "
                "replied to this number."))
    message = _reply(ticket, agent)
    assert message.delivery_state == "failed" and message.delivery_attempts == 1
    assert message.delivery_error.startswith("the 24-hour customer service window is closed")
    assert "131047" in message.delivery_error and "fbtrace_id" in message.delivery_error
    assert graph.sent == []


@pytest.mark.parametrize("failure", [
    graph_error(130429, "Rate limit hit", details="Cloud API message throughput has been reached."),
    graph_error(4, "Application request limit reached", status=403),
    graph_error(80007, "Rate limit issues"),
    (429, {"error": {"message": "Too many calls", "type": "OAuthException", "code": 613}}),
    (503, {"error": {"message": "Service temporarily unavailable", "type": "OAuthException", "code": 2}}),
], ids=["130429", "4", "80007", "HTTP 429", "HTTP 503"])
def test_a_rate_limit_keeps_the_reply_queued_and_the_next_attempt_sends_it_once(ticket, agent, graph, failure):
    graph.failures.append(failure)
    message = _reply(ticket, agent)
    assert message.delivery_state == "queued" and message.delivery_attempts == 1
    assert message.next_attempt_at is not None and failure[1]["error"]["message"] in message.delivery_error
    assert replies.deliver(message.id).state == "sent"
    assert replies.deliver(message.id).state == "sent"  # a duplicate job sends nothing more
    assert len(graph.sent) == 1 and _state(message) == "sent"


def test_an_expired_token_fails_the_reply_and_says_to_replace_it(ticket, agent, graph):
    graph.failures.append(graph_error(190, "Error validating access token: Session has expired", subcode=463,
                                      status=401))
    message = _reply(ticket, agent)
    assert message.delivery_state == "failed"
    assert message.delivery_error.startswith("the access token has expired or was revoked")


def test_an_attachment_is_uploaded_and_sent_as_a_document_after_the_text(ticket, agent, graph):
    pdf = b"%PDF-1.4\n" + b"1" * 300 + b"\n%%EOF\n"
    message = _reply(ticket, agent, body="Le adjunto la guía de tallas.",
                     files=(OutgoingFile("guia-tallas.pdf", pdf, "application/pdf"),))
    (upload,) = graph.calls_to("/media")
    assert upload.path == f"/v21.0/{payloads.PHONE_NUMBER_ID}/media" and b'name="messaging_product"' in upload.body
    (text_wamid, text), (_, document) = graph.sent
    assert text["type"] == "text" and document["type"] == "document"
    assert document["document"]["filename"] == "guia-tallas.pdf"
    assert graph.media[document["document"]["id"]] == (pdf, "application/pdf")
    assert message.delivery_state == "sent" and message.provider_id == text_wamid


def test_a_status_that_overtakes_its_sends_receipt_is_applied_once_the_receipt_lands(ticket, agent, graph,
                                                                                     post_webhook):
    answers = []
    graph.before_send_answer = lambda wamid: answers.append(post_webhook(payloads.status(wamid, "delivered")))
    huey.read_schedule(LATER)  # forget what earlier tests left scheduled
    message = _reply(ticket, agent)
    assert [a.status_code for a in answers] == [200]  # taken in while the send was still unanswered
    assert message.delivery_state == "sent"
    kept = [t for t in huey.read_schedule(LATER) if t.name.endswith("apply_late_status")]
    assert len(kept) == 1
    assert huey.execute(kept[0], timestamp=LATER) == "applied"
    assert _state(message) == "delivered"
