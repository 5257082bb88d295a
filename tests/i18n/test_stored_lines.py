"""What the console shows from stored rows reads in the agent's language: the timeline's lines
(routing's reasons, triggers, automations, SLA, macros, the customer's portal actions, field
values) are stored as codes and values and put in words when a page shows them; rows stored as
English sentences before that still read as stored."""

from __future__ import annotations

import html

import pytest

from helpdesk.extensions import db
from helpdesk.models import Ticket, TicketEvent
from helpdesk.models.base import utcnow
from helpdesk.services import tickets
from helpdesk.services.routing import availability, settings


def _timeline(client, ticket_id: int) -> str:
    page = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    return html.unescape(page.split('id="timeline"', 1)[1].split("</details>", 1)[0])


def _routed_ticket(groups, make_user, inbound) -> int:
    settings.save_group(groups[0].id, strategy="least_loaded", chat_capacity=2, messaging_capacity=2,
                        ticket_capacity=5, offer_timeout=30)
    availability.set_status(make_user(name="Bo Router", groups=("Support",)), "online")
    db.session.commit()
    ticket_id = inbound(subject="Routed", group_hint="Support").ticket_id
    db.session.rollback()
    assert db.session.get(Ticket, ticket_id).assignee_id is not None
    return ticket_id


@pytest.mark.parametrize(("language", "words"), [
    ("es", ["asignado automáticamente a Bo Router: menos cargado: 0% de la capacidad en uso (chat 0/2, "
            "mensajería 0/2, ticket 0/5) de 1 agente disponible"]),
    ("zh", ["已自动分配给 Bo Router：负载最少：已用容量 0%（聊天 0/2, 消息 0/2, 工单 0/5），共 1 位可用客服"]),
])
def test_routing_says_why_in_the_readers_language(client, groups, make_user, inbound, reader, language, words):
    ticket_id = _routed_ticket(groups, make_user, inbound)
    reader(language)
    timeline = _timeline(client, ticket_id)
    for word in words:
        assert word in timeline
    assert "assigned automatically" not in timeline and "least loaded" not in timeline


def test_routing_keeps_the_english_sentence_for_api_clients(groups, make_user, inbound):
    ticket_id = _routed_ticket(groups, make_user, inbound)
    data = db.session.query(TicketEvent).filter_by(ticket_id=ticket_id, kind="routing").one().data
    assert data["text"].startswith("assigned automatically to Bo Router: least loaded: 0% of capacity in use")
    assert data["action"] == "assigned" and data["why"]["strategy"] == "least_loaded"


def test_a_routing_line_stored_as_words_reads_as_stored(client, groups, inbound, reader):
    ticket_id = inbound(subject="Old row").ticket_id
    db.session.add(TicketEvent(ticket_id=ticket_id, kind="routing", created_at=utcnow(),
                               data={"text": "offered to Ana for 30 s: round robin", "action": "offered", "user_id": 1}))
    db.session.commit()
    reader("es")
    assert "offered to Ana for 30 s: round robin" in _timeline(client, ticket_id)


def _lines(ticket_id: int) -> None:
    now = utcnow()
    for kind, data in [
        ("macro_applied", {"macro_id": 1, "name": "Refund"}),
        ("automation", {"automation_id": 1, "name": "Nudge", "why": "its time conditions held"}),
        ("customer_action", {"action": "reopened", "customer_id": 1, "via": "portal"}),
        ("survey_follow_up", {"survey_id": 1, "action": "reopened", "score": 1}),
        ("sla", {"target": "first_response", "crossing": "breached"}),
        ("trigger", {"trigger_id": 1, "name": "VIP", "event": "customer.replied"}),
        ("trigger_failed", {"trigger_id": 2, "name": "CRM", "action": "webhook",
                            "error": "crm.example answered HTTP 502"}),
    ]:
        db.session.add(TicketEvent(ticket_id=ticket_id, kind=kind, data=data, created_at=now))
    db.session.commit()


@pytest.mark.parametrize(("language", "words", "english"), [
    ("es", ["aplicó la macro «Refund»", "la automatización «Nudge»", "se cumplieron sus condiciones de tiempo",
            "el cliente reabrió la solicitud en el portal", "una puntuación baja en la encuesta reabrió el ticket",
            "primera respuesta", "el cliente respondió", "cambió estado de abierto a en espera",
            "ticket abierto por correo", "crm.example respondió HTTP 502"],
     ["macro applied", "its time conditions held", "reopened the request", "low survey score", "first response",
      "customer replied", "on hold", "via email"]),
    ("zh", ["应用了宏“Refund”", "其时间条件已满足", "客户在门户中重新打开了请求", "调查低分使工单重新打开",
            "首次响应", "客户已回复", "crm.example 返回 HTTP 502"],
     ["macro applied", "its time conditions held", "reopened the request", "low survey score", "first response",
      "customer replied", "on hold"]),
])
def test_the_other_timeline_lines_read_in_the_readers_language(client, groups, inbound, reader, language, words,
                                                                english):
    ticket_id = inbound(subject="Lines", channel="email", group_hint="Support").ticket_id
    _lines(ticket_id)
    user = reader(language)
    ticket = db.session.get(Ticket, ticket_id)
    tickets.update_ticket(ticket, user, status="open")
    tickets.update_ticket(ticket, user, status="on_hold")
    timeline = _timeline(client, ticket_id)
    for word in words:
        assert word in timeline, word
    for word in english:
        assert word not in timeline, word
