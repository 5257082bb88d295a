"""Domain events, sent only after the change they describe is committed.

Services call `publish(...)` after commit; realtime delivery, jobs and metrics subscribe with
`connect`. Payloads are small dicts of ids so that any process can re-read what it needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableSet
from contextlib import contextmanager
from contextvars import ContextVar

from blinker import NamedSignal

from helpdesk.services import settings_cache


class _OrderedSet(MutableSet):
    """A set that iterates in insertion order (blinker's `set_class`)."""

    def __init__(self, items: Iterable = ()) -> None:
        self._items = dict.fromkeys(items)

    def __contains__(self, item) -> bool:
        return item in self._items

    def __iter__(self) -> Iterator:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item) -> None:
        self._items[item] = None

    def discard(self, item) -> None:
        self._items.pop(item, None)

    def copy(self) -> _OrderedSet:
        return _OrderedSet(self._items)


class _Signal(NamedSignal):
    """Subscribers are called in the order they connected (`create_app` wires them in the order
    that matters: SLA clocks before the live views and report facts, a chat reply's live push
    before its delivery job). Blinker's default set called them in the order of their ids, that
    is of memory addresses: a different order in every process."""

    set_class = _OrderedSet

    def __init__(self, name: str, doc: str | None = None) -> None:
        super().__init__(name, doc)
        self.batch_receivers = _OrderedSet()  # connecting again (another create_app) changes nothing

    def connect_batch(self, receiver) -> None:
        """Call `receiver(name, payloads)` once per `publish_many` with every payload of it (and
        with a one-item list for each `publish`): a subscriber that queues a job per event queues
        one for a whole burst instead (5,000 SLA crossings wrote the job store 7,400 times)."""
        self.batch_receivers.add(receiver)

    def disconnect_batch(self, receiver) -> None:
        """Undo `connect_batch`."""
        self.batch_receivers.discard(receiver)


ticket_created = _Signal("ticket.created")
ticket_updated = _Signal("ticket.updated")
message_created = _Signal("message.created")
message_updated = _Signal("message.updated")
# SLA: a target crossed its warning share or its due time (once per crossing); settings changed;
# a ticket's clocks or a background recomputation moved on.
sla_warning = _Signal("sla.warning")
sla_breached = _Signal("sla.breached")
sla_config_changed = _Signal("sla.config_changed")
sla_recomputed = _Signal("sla.recomputed")
# A staff member's rights changed (switched off or on, role, groups, a token revoked, a session
# ended): live connections re-check their rooms. Payload {"user_id": id}.
user_changed = _Signal("user.changed")
# Mail that could not be processed was kept in the failed-mail store (admins were notified in-app).
mail_failed = _Signal("mail.failed")

# An outbound webhook delivery was stored: a job sends it. Payload {"delivery_id": id}.
webhook_queued = _Signal("webhook.queued")

# A customer answered a survey. Payload: the ticket payload, survey_id, kind, score.
survey_answered = _Signal("survey.answered")

# A personal notification was stored (a mention, an assignment, a customer's reply): its recipient only.
notification_created = _Signal("notification.created")
# A customer asked for their data (the portal): a job prepares the archive and mails the link.
# Payload {"customer_id": id, "mail_to": address}.
privacy_export_requested = _Signal("privacy.export_requested")
# A customer was erased: a job compacts the search index (merges the segments that still hold the
# deleted words; seconds on a large index). Payload {"customer_id": id}.
privacy_erased = _Signal("privacy.erased")

# A phone call rang, was answered, or ended (see services.calls.intake). Payload: call_id, state,
# group_id, customer_id, agent_id.
call_ringing = _Signal("call.ringing")
call_answered = _Signal("call.answered")
call_ended = _Signal("call.ended")

# Routing: an agent's availability changed ({"user_id", "status", "previous", "reason", "group_ids"});
# an offer of a live conversation was made or closed ({"offer_id", "ticket_id", "user_id", "state"});
# a group's or an agent's routing settings changed ({"group_id"} or {"user_id"}).
availability_changed = _Signal("agent.availability")
routing_offer = _Signal("routing.offer")
routing_settings = _Signal("routing.settings")

EVENTS = {s.name: s for s in (ticket_created, ticket_updated, message_created, message_updated,
                              sla_warning, sla_breached, sla_config_changed, sla_recomputed, user_changed,
                              mail_failed, notification_created, call_ringing, call_answered, call_ended,
                              privacy_export_requested, privacy_erased, availability_changed, routing_offer,
                              routing_settings, survey_answered, webhook_queued)}


# Set by `muted`: the demo writes a month of past history, which no live view, job or notification
# should act on (it would queue a thousand jobs for the first start); it does itself what the
# subscribers would derive (surveys, SLA scan, report facts).
_muted: ContextVar[bool] = ContextVar("events_muted", default=False)


def publish(name: str, payload: dict) -> None:
    """Send the event `name` with `payload` to every subscriber (to none inside `muted()`)."""
    publish_many(name, [payload])


def publish_many(name: str, payloads: list[dict]) -> None:
    """Send the event `name` once per payload to its subscribers, and the whole list once to its
    batch subscribers (`connect_batch`); nothing inside `muted()` or for an empty list."""
    if _muted.get() or not payloads:
        return
    signal = EVENTS[name]
    with settings_cache.one_committed_read():  # its subscribers read the settings token once
        for payload in payloads:
            signal.send(name, payload=payload)
        for receiver in list(signal.batch_receivers):
            receiver(name, payloads)


@contextmanager
def muted() -> Iterator[None]:
    """Within it, `publish` in this thread (or task) sends nothing."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def ticket_payload(ticket) -> dict:
    """The small, id-based description of a ticket that every ticket event carries."""
    return {
        "ticket_id": ticket.id,
        "number": ticket.number,
        "group_id": ticket.group_id,
        "assignee_id": ticket.assignee_id,
        "status": ticket.status,
        "priority": ticket.priority_name,
        "channel": ticket.channel,
        "sla_state": ticket.sla_state,
    }
