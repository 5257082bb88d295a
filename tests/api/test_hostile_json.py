"""JSON bodies nested thousands deep or holding a lone UTF-16 surrogate (or NaN) answer 400 in the
API's error shape on every endpoint that reads JSON, and in the console's draft endpoint; they
used to end in a 500 (a RecursionError in the parser, a UnicodeEncodeError in the database)."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.security import MAX_JSON_DEPTH, load_json

DEEP = "[" * 100_000 + "]" * 100_000  # deeper than Python's recursion limit
NESTED = json.dumps({"subject": "x", "body": "y", "customer": {"email": "a@customer.example"}}
                    | {"extra": json.loads("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH)})  # parses, too deep
LONE = '{"customer": {"email": "maria@customer.example"}, "body": "hola \\ud83d adi\\u00f3s"}'
HOSTILE = {"deep": DEEP, "nested": NESTED, "lone surrogate": LONE, "NaN": '{"body": NaN}'}


@pytest.mark.parametrize("body", [DEEP, NESTED, LONE, '["\\udc00"]', '{"\\ud800": 1}', "NaN", "[-Infinity]"])
def test_the_reader_refuses_what_no_handler_can_take(body):
    with pytest.raises(ValueError):
        load_json(body)


def test_the_reader_takes_ordinary_json_with_paired_surrogates_and_provider_depth():
    assert load_json('{"a": ["\\ud83d\\ude00", {"b": [[[1.5]]]}]}') == {"a": ["\U0001F600", {"b": [[[1.5]]]}]}
    assert load_json("[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1))


def test_a_ticket_with_a_lone_surrogate_is_a_400_and_nothing_is_stored(api):
    response = api.client.post("/api/v1/tickets", data=LONE, headers=api.headers, content_type="application/json")
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert body["code"] == 400 and body["status"] == "Bad Request"
    assert body["errors"] == {"json": ["Invalid JSON body: a string holds a lone UTF-16 surrogate (\\ud800-\\udfff)."]}
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_every_api_endpoint_that_reads_json_answers_400_in_the_api_shape(app, client, make_user, token_for, inbound):
    headers = {"Authorization": f"Bearer {token_for(make_user(role='admin'))}"}
    ticket_id = inbound().ticket_id
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a failure shows as the 500 a client would get
    checked = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH"}):
            url = re.sub(r"<[^>]+>", str(ticket_id), rule.rule)
            for name, body in HOSTILE.items():
                response = client.open(url, method=method, data=body, headers=headers, content_type="application/json")
                assert response.status_code != 500, (method, url, name)
                if response.status_code == 400:
                    answer = response.get_json()
                    assert answer["code"] == 400 and answer["errors"]["json"][0].startswith("Invalid JSON body")
                    checked.append((method, rule.rule))
    assert len(set(checked)) >= 15, sorted(set(checked))  # every endpoint with a JSON body


def test_the_consoles_draft_endpoint_answers_400(client, make_user, login, inbound):
    ticket_id = inbound().ticket_id
    login(make_user(role="admin"))
    for body in HOSTILE.values():
        response = client.put(f"/tickets/{ticket_id}/draft", data=body, content_type="application/json")
        assert response.status_code == 400 and response.get_json()["field"] == "body"
