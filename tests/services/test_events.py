"""Domain events: subscribers run in the order they were connected, which create_app relies on."""

from __future__ import annotations

import functools

from helpdesk.jobs import queue as jobs
from helpdesk.jobs import reports as report_jobs
from helpdesk.jobs import sla as sla_jobs
from helpdesk.realtime import agents as realtime
from helpdesk.services import events
from helpdesk.webchat import delivery


def _note(heard: list[int], n: int, sender, payload) -> None:
    heard.append(n)


def test_subscribers_are_called_in_the_order_they_connected():
    heard: list[int] = []
    # Many receivers, so that an order by id (memory address), as blinker's own set gives, would show.
    receivers = [functools.partial(_note, heard, n) for n in range(100)]
    for receiver in receivers:
        events.message_created.connect(receiver, weak=False)
    try:
        events.publish("message.created", {"message_id": 0})
    finally:
        for receiver in receivers:
            events.message_created.disconnect(receiver)
    assert heard == list(range(100))


def _order(signal) -> list:
    return list(signal.receivers_for(None))


def test_a_chat_reply_is_pushed_live_before_its_delivery_job_is_queued(app):
    # Queued first, a job thread (or the worker) could claim the reply and deliver it the slow way.
    order = _order(events.message_created)
    assert order.index(delivery.deliver_live) < order.index(jobs._on_message_queued)


def test_sla_clocks_are_stored_before_live_views_and_report_facts_hear_of_a_change(app):
    order = _order(events.ticket_updated)
    sla = order.index(sla_jobs._on_ticket_changed)
    assert sla < order.index(report_jobs._on_ticket_updated)
    assert all(sla < order.index(r) for r in order if getattr(r, "__module__", "") == realtime.__name__)


def test_publish_many_sends_each_payload_and_the_whole_batch_once():
    each: list[dict] = []
    batches: list[tuple[str, list[dict]]] = []

    def one(sender, payload) -> None:
        each.append(payload)

    def batch(name, payloads) -> None:
        batches.append((name, payloads))

    events.sla_warning.connect(one, weak=False)
    events.sla_warning.connect_batch(batch)
    events.sla_warning.connect_batch(batch)  # a second create_app connects again: still once
    try:
        events.publish_many("sla.warning", [{"ticket_id": 1}, {"ticket_id": 2}])
        events.publish("sla.warning", {"ticket_id": 3})
        events.publish_many("sla.warning", [])
        with events.muted():
            events.publish_many("sla.warning", [{"ticket_id": 4}])
    finally:
        events.sla_warning.disconnect(one)
        events.sla_warning.disconnect_batch(batch)
    assert each == [{"ticket_id": 1}, {"ticket_id": 2}, {"ticket_id": 3}]
    assert batches == [("sla.warning", [{"ticket_id": 1}, {"ticket_id": 2}]), ("sla.warning", [{"ticket_id": 3}])]
