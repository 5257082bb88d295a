"""Domain events, sent only after the change they describe is committed.

Services call `publish(...)` after commit; realtime delivery, jobs and metrics subscribe with
`connect`. Payloads are small dicts of ids so that any process can re-read what it needs.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

ticket_created = _signals.signal("ticket.created")
ticket_updated = _signals.signal("ticket.updated")
message_created = _signals.signal("message.created")
message_updated = _signals.signal("message.updated")
# SLA: a target crossed its warning share or its due time (once per crossing); settings changed;
# a ticket's clocks or a background recomputation moved on.
sla_warning = _signals.signal("sla.warning")
sla_breached = _signals.signal("sla.breached")
sla_config_changed = _signals.signal("sla.config_changed")
sla_recomputed = _signals.signal("sla.recomputed")

EVENTS = {s.name: s for s in (ticket_created, ticket_updated, message_created, message_updated,
                              sla_warning, sla_breached, sla_config_changed, sla_recomputed)}


def publish(name: str, payload: dict) -> None:
    """Send the event `name` with `payload` to every subscriber."""
    EVENTS[name].send(name, payload=payload)


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
