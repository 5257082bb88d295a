"""A WhatsApp survey: an interactive list of scores, and the signed list-reply webhook that answers it."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Message, Ticket
from helpdesk.models.base import utcnow
from helpdesk.services import tickets
from helpdesk.services.surveys import sending as surveys
from tests.surveys.conftest import PUBLIC_URL, surveys_of
from tests.whatsapp import payloads


def list_reply(row: dict, sender: str = payloads.CUSTOMER, context_id: str | None = None) -> dict:
    """The webhook Meta posts when the customer picks `row` from our list message."""
    return payloads.inbound("interactive", {"type": "list_reply", "list_reply": {"id": row["id"], "title": row["title"]}},
                            sender=sender, context={"from": payloads.DISPLAY_NUMBER, "id": context_id or payloads.wamid()})


def surveyed(post_webhook, graph, enable, agent, kind: str = "csat"):
    enable(kind)
    assert post_webhook(payloads.text("¿Dónde está mi pedido?")).status_code == 200
    ticket = db.session.scalar(select(Ticket))
    tickets.update_ticket(ticket, agent, status="solved")
    surveys.send_due(PUBLIC_URL, now=utcnow())
    (survey,) = surveys_of(ticket.id)
    return ticket, survey, graph.sent[-1]


def test_the_survey_is_an_interactive_list_with_one_row_per_score(post_webhook, graph, enable, agent):
    _, survey, (wamid, body) = surveyed(post_webhook, graph, enable, agent)
    assert (body["type"], body["to"], body["interactive"]["type"]) == ("interactive", payloads.CUSTOMER, "list")
    (section,) = body["interactive"]["action"]["sections"]
    assert [r["id"] for r in section["rows"]] == [f"sv:{survey.reference}:{n}" for n in range(1, 6)]
    assert "/survey/" in body["interactive"]["body"]["text"]
    assert db.session.get(Message, survey.message_id).provider_id == wamid


def test_picking_a_score_records_it_without_reopening_the_ticket(post_webhook, graph, enable, agent):
    ticket, survey, (wamid, body) = surveyed(post_webhook, graph, enable, agent)
    two = body["interactive"]["action"]["sections"][0]["rows"][1]
    assert post_webhook(list_reply(two, context_id=wamid)).status_code == 200
    db.session.expire_all()
    assert (db.session.get(type(survey), survey.id).state, db.session.get(type(survey), survey.id).score) == ("answered", 2)
    assert db.session.get(Ticket, ticket.id).status == "solved"
    assert db.session.scalar(select(db.func.count()).select_from(Message).where(Message.kind == "inbound")) == 1


def test_a_pick_from_another_number_or_an_unsigned_post_records_nothing(post_webhook, graph, enable, agent):
    _, survey, (_, body) = surveyed(post_webhook, graph, enable, agent)
    row = body["interactive"]["action"]["sections"][0]["rows"][0]
    assert post_webhook(list_reply(row), secret="not-the-app-secret").status_code in (401, 403)
    assert post_webhook(list_reply(row, sender="34600999999")).status_code == 200
    db.session.expire_all()
    assert db.session.get(type(survey), survey.id).score is None


def test_an_nps_survey_goes_as_text_with_its_link_as_eleven_scores_do_not_fit_a_list(post_webhook, graph, enable, agent):
    _, survey, (_, body) = surveyed(post_webhook, graph, enable, agent, kind="nps")
    assert body["type"] == "text" and "/survey/" in body["text"]["body"]
