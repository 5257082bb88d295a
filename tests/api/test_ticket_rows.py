"""GET /api/v1/tickets is written from rows (services.ticket_rows, api.ticket_json): the bytes are
those TicketPageSchema's dump of the ORM page gave, whatever the filters, order and page."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import jsonify

from helpdesk.api.schemas import TicketPageSchema, TicketSchema
from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.services import tickets
from helpdesk.services.tickets import TicketFilter

FIELDS = [{"entity": "ticket", "key": "reason", "label": "Reason", "kind": "dropdown", "options": ["Refund", "Bug"]},
          {"entity": "ticket", "key": "seats", "label": "Seats", "kind": "number"},
          {"entity": "ticket", "key": "vip", "label": "VIP", "kind": "checkbox"},
          {"entity": "ticket", "key": "note", "label": "Note", "kind": "text"}]


@pytest.fixture
def varied(api_as, make_user, groups, inbound):
    """Tickets in two groups with tags, custom values of each kind, set and null timestamps and
    ids, an urgent one, a merged one, non-ASCII text; returns a supervisor."""
    admin = api_as(make_user(role="admin"))
    for definition in FIELDS:
        assert admin.post("/fields", json=definition).status_code == 201
    ids = [inbound(email=f"c{i}@example.com", body=f"Problem {i}", subject=f"Ticket «{i}» ü\u2028 \"quoted\"").ticket_id
           for i in range(7)]
    changes = [{"tags": ["billing", "Refund", "a-tag"], "custom_fields": {"reason": "Bug", "seats": 12, "vip": True}},
               {"custom_fields": {"seats": 2.5, "vip": False, "note": "ñ \n <b>x</b>"}, "priority": "urgent"},
               {"tags": ["zeta"], "status": "pending", "group_id": groups[1].id},
               {"status": "solved"}, {"priority": "low", "status": "on_hold"}]
    for ticket_id, change in zip(ids, changes, strict=False):
        assert admin.patch(f"/tickets/{ticket_id}", json=change).status_code == 200
    first = db.session.get(Ticket, ids[0])
    first.first_response_at = datetime(2026, 12, 1, 9, 30, 0, 123456)
    first.first_response_due_at = datetime(2026, 12, 1, 10, 0)
    first.sla_state, first.sla_policy_id = "breached", 3
    last = db.session.get(Ticket, ids[-1])
    last.group_id, last.merged_into_id, last.status, last.closed_at = None, ids[0], "closed", datetime(2026, 12, 2)
    db.session.commit()
    return make_user(role="supervisor")


def _old_body(user, args: dict) -> bytes:
    """What the view answered before: the ORM page dumped by TicketPageSchema, jsonify'd."""
    paging = {key: args.pop(key) for key in ("sort", "cursor", "limit") if key in args}
    page = tickets.list_page(user, TicketFilter(**({"view": "all"} | args)), limit=paging.pop("limit", 25), **paging)
    return jsonify(TicketPageSchema().dump(page)).get_data()


QUERIES = [{}, {"limit": 2}, {"sort": "priority"}, {"sort": "created", "limit": 3}, {"sort": "oldest"},
           {"statuses": ["pending", "solved"]}, {"view": "open"}, {"tag": "billing"}, {"custom": {"reason": "Bug"}}]


def _query_string(args: dict) -> str:
    parts = [f"{k}={v}" for k, v in args.items() if k in ("sort", "limit", "view", "tag", "cursor")]
    parts += [f"status={s}" for s in args.get("statuses", [])]
    parts += [f"field={k}:{v}" for k, v in args.get("custom", {}).items()]
    return "&".join(parts)


@pytest.mark.parametrize("args", QUERIES)
def test_the_list_is_byte_identical_to_the_schemas_dump(api_as, varied, args):
    api, pages = api_as(varied), 0
    while True:
        answer = api.get(f"/tickets?{_query_string(args)}")
        assert answer.status_code == 200
        assert answer.data == _old_body(varied, dict(args)), args
        pages += 1
        cursor = answer.get_json()["next_cursor"]
        if cursor is None:
            break
        args = args | {"cursor": cursor}
    assert pages >= 1


def test_an_agent_of_two_groups_gets_the_same_bytes(api_as, varied, make_user):
    agent = make_user(groups=("Support", "Billing"))  # several (group, status) branches: the union query
    for args in ({}, {"limit": 2}, {"view": "open", "limit": 1}):
        answer = api_as(agent).get(f"/tickets?{_query_string(args)}")
        assert answer.status_code == 200 and answer.data == _old_body(agent, dict(args))
        assert answer.get_json()["items"]


def test_the_list_answers_json_with_custom_values_and_tags(api_as, varied):
    items = api_as(varied).get("/tickets?limit=100").get_json()["items"]
    tagged = next(t for t in items if t["tags"] == ["a-tag", "billing", "refund"])
    assert tagged["custom_fields"] == {"reason": "Bug", "seats": 12, "vip": True}
    assert tagged["first_response_at"] == "2026-12-01T09:30:00.123456+00:00" and tagged["sla_state"] == "breached"
    assert any(t["group_id"] is None and t["merged_into_id"] for t in items)
    assert api_as(varied).get("/tickets?cursor=forged").status_code == 422


def test_opening_a_ticket_answers_the_schemas_bytes(api_as, varied):
    api = api_as(varied)
    body = {"customer": {"email": "new@example.com", "name": "Zoë"}, "subject": "Nueva «consulta»", "body": "Hola",
            "tags": ["Urgent", "b"], "priority": "high", "status": "pending", "external_id": "crm-1"}
    for expected in (201, 200):  # the same external_id again answers the first ticket
        answer = api.post("/tickets", json=body)
        assert answer.status_code == expected
        db.session.expire_all()
        ticket = db.session.get(Ticket, answer.get_json()["id"])
        assert answer.data == jsonify(TicketSchema().dump(ticket)).get_data()
        assert answer.get_json()["tags"] == ["b", "urgent"]
