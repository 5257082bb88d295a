"""Outbound webhooks against a real local HTTP receiver that checks the signature: subscribed
events arrive signed, failures retry with back-off and end in the log, repeated failures pause
the endpoint, private addresses need an admin's explicit allowance."""

from __future__ import annotations

import hashlib
import hmac
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select, update

from helpdesk.extensions import db
from helpdesk.models import SettingsRevision, Webhook, WebhookDelivery
from helpdesk.services.automation import triggers, webhooks
from helpdesk.services.automation.conditions import ConditionError
from tests.support import serving_thread


class Receiver:
    """A local HTTP endpoint that verifies X-Helpdesk-Signature itself (its own HMAC code)."""

    def __init__(self) -> None:
        self.secret = ""
        self.received: list[dict] = []
        self.answer = 200
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                parts = dict(p.split("=", 1) for p in self.headers["X-Helpdesk-Signature"].split(","))
                expected = hmac.new(outer.secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
                outer.received.append({"valid": hmac.compare_digest(expected, parts["v1"]), "json": json.loads(body),
                                       "event": self.headers["X-Helpdesk-Event"],
                                       "delivery": self.headers["X-Helpdesk-Delivery"]})
                self.send_response(outer.answer)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/helpdesk"
        serving_thread(self.server).start()


@pytest.fixture
def receiver():
    found = Receiver()
    yield found
    found.server.shutdown()


def endpoint(receiver: Receiver, **data) -> Webhook:
    row, secret = webhooks.save(None, {"name": "CRM", "url": receiver.url, "events": ["ticket.created"],
                                       "allow_private": True} | data)
    receiver.secret = secret
    return row


def test_a_new_ticket_is_posted_signed_and_logged(app, groups, inbound, receiver):
    hook = endpoint(receiver)
    ticket_id = inbound(email="ana@example.com", subject="Broken", body="help").ticket_id
    [got] = receiver.received
    assert got["valid"] and got["event"] == "ticket.created"
    assert got["json"]["ticket"]["id"] == ticket_id and got["json"]["ticket"]["subject"] == "Broken"
    [logged] = webhooks.deliveries(hook)
    assert (logged.state, logged.response_code, logged.attempts, str(logged.id)) == ("delivered", 200, 1, got["delivery"])
    assert webhooks.verify(receiver.secret, webhooks.sign(receiver.secret, 1_700_000_000, b"{}"), b"{}", now=1_700_000_010)
    assert not webhooks.verify("other", webhooks.sign(receiver.secret, 1_700_000_000, b"{}"), b"{}", now=1_700_000_010)
    assert not webhooks.verify(receiver.secret, webhooks.sign(receiver.secret, 1_700_000_000, b"{}"), b"{}",
                               now=1_700_001_000)  # a replay, ten minutes later


def test_failures_retry_then_fail_and_repeated_failures_pause(app, groups, inbound, receiver, monkeypatch):
    monkeypatch.setattr(webhooks, "PAUSE_AFTER", 3)
    hook = endpoint(receiver)
    receiver.answer = 503
    delivery_id = webhooks.queue("ticket.created", {"ticket_id": None})[0]
    # The first attempt ran through the job (immediate); more attempts as the scheduled retries would.
    delays = [webhooks.deliver(delivery_id) for _ in range(2)]
    db.session.expire_all()
    delivery, hook = db.session.get(WebhookDelivery, delivery_id), db.session.get(Webhook, hook.id)
    assert len(receiver.received) == 3 and all(r["valid"] for r in receiver.received)
    assert delays[0] == webhooks.backoff(2) == 60 and delays[1] is None  # paused after the third
    assert (delivery.state, delivery.response_code, delivery.attempts) == ("failed", 503, 3)
    assert hook.paused_at is not None and hook.failures == 3
    assert webhooks.queue("ticket.created", {"ticket_id": None}) == []  # paused: nothing is sent
    webhooks.save(hook, {"resume": True})
    receiver.answer = 200
    assert len(webhooks.queue("ticket.created", {"ticket_id": None})) == 1 and receiver.received[-1]["valid"]


def test_private_addresses_need_the_admins_allowance(app, groups, receiver):
    with pytest.raises(ConditionError) as caught:
        webhooks.save(None, {"name": "x", "url": receiver.url, "events": ["ticket.created"]})
    assert caught.value.field == "url"  # plain http is refused outright
    with pytest.raises(ConditionError) as caught:  # so is a private address given as such
        webhooks.save(None, {"name": "x", "url": "https://10.0.0.5/hook", "events": ["ticket.created"]})
    assert caught.value.field == "url" and "private address" in caught.value.message
    # A name is judged where it leads at each delivery.
    row, _secret = webhooks.save(None, {"name": "x", "url": "https://localhost:9/hook", "events": ["ticket.created"]})
    [delivery_id] = webhooks.queue("ticket.created", {"ticket_id": None})
    delivery = db.session.get(WebhookDelivery, delivery_id)
    assert delivery.state == "failed" and "not allowed" in delivery.error and delivery.attempts == 1
    assert receiver.received == []


def test_a_trigger_calls_a_webhook(app, groups, inbound, receiver):
    hook = endpoint(receiver, events=["trigger"])
    triggers.save(None, {"name": "Tell the CRM", "event": "ticket.created",
                         "match_all": [{"field": "text", "op": "contains", "value": ["invoice"]}],
                         "actions": [{"type": "webhook", "webhook_id": hook.id}]})
    inbound(email="b@example.com", body="hello")
    assert receiver.received == []
    ticket_id = inbound(email="c@example.com", body="my invoice").ticket_id
    [got] = receiver.received
    assert got["valid"] and got["event"] == "trigger"
    assert got["json"]["data"]["source"]["name"] == "Tell the CRM" and got["json"]["ticket"]["id"] == ticket_id
    assert db.session.scalar(select(WebhookDelivery.state)) == "delivered"


def test_one_tickets_deliveries_go_out_in_event_order_even_when_the_first_must_be_retried(
        app, groups, inbound, receiver):
    from helpdesk.models import Ticket
    from helpdesk.services import tickets

    hook = endpoint(receiver, events=["ticket.created", "ticket.updated"])
    receiver.answer = 503
    ticket_id = inbound(email="ana@example.com", subject="Broken", body="help").ticket_id
    [created] = webhooks.deliveries(hook)
    assert (created.event, created.state) == ("ticket.created", "retrying")
    tickets.update_ticket(db.session.get(Ticket, ticket_id), None, priority="high")
    updated = webhooks.deliveries(hook)[0]
    assert (updated.event, updated.state, updated.attempts) == ("ticket.updated", "waiting", 0)
    assert [r["event"] for r in receiver.received] == ["ticket.created"]  # the update was not sent ahead

    receiver.answer = 200
    other = inbound(email="ben@example.com", subject="Other", body="hi").ticket_id  # another ticket does not wait
    assert [r["json"]["ticket"]["id"] for r in receiver.received][-1] == other
    assert webhooks.deliver(created.id) is None  # the retry succeeds and hands over to the update
    db.session.expire_all()
    mine = [(r["event"], r["delivery"]) for r in receiver.received if r["json"]["ticket"]["id"] == ticket_id]
    assert mine == [("ticket.created", str(created.id)), ("ticket.created", str(created.id)),
                    ("ticket.updated", str(updated.id))]
    assert [d.state for d in webhooks.deliveries(hook)] == ["delivered"] * 3


def test_a_delivery_that_fails_for_good_lets_the_next_of_its_ticket_go(app, groups, inbound, receiver):
    from helpdesk.models import Ticket
    from helpdesk.services import tickets

    hook = endpoint(receiver, events=["ticket.created", "ticket.updated"])
    receiver.answer = 400  # refused: not retried
    ticket_id = inbound(email="ana@example.com", body="help").ticket_id
    receiver.answer = 200
    tickets.update_ticket(db.session.get(Ticket, ticket_id), None, priority="high")
    assert [(d.event, d.state) for d in reversed(webhooks.deliveries(hook))] == [
        ("ticket.created", "failed"), ("ticket.updated", "delivered")]


def test_the_subscriptions_are_cached_until_an_endpoint_changes_here_or_elsewhere(app, groups, receiver):
    assert webhooks.subscribed("ticket.created") == []  # cached under the settings token now
    hook = endpoint(receiver)
    assert webhooks.subscribed("ticket.created") == [hook.id]
    webhooks.save(hook, {"events": ["ticket.updated"]})
    assert (webhooks.subscribed("ticket.created"), webhooks.subscribed("ticket.updated")) == ([], [hook.id])
    token = db.session.scalar(select(SettingsRevision.token))
    hook.failures += 1  # a delivery's bookkeeping is no change of subscription
    db.session.commit()
    assert db.session.scalar(select(SettingsRevision.token)) == token
    # Another process switches it off: the row and a new settings token, committed together.
    with db.engine.begin() as other:
        other.execute(update(Webhook.__table__).where(Webhook.__table__.c.id == hook.id).values(active=False))
        other.execute(update(SettingsRevision.__table__).values(token="changed-by-another-process"))
    assert webhooks.subscribed("ticket.updated") == []
