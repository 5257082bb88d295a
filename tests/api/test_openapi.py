"""The OpenAPI document is generated from the code: every route, its schemas, the bearer scheme."""

from __future__ import annotations

import json
import re

import pytest


@pytest.fixture
def document(client) -> dict:
    response = client.get("/api/v1/openapi.json")  # public: no token needed to read the contract
    assert response.status_code == 200 and response.mimetype == "application/json"
    return json.loads(response.get_data(as_text=True))


def api_routes(app) -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every API view the app serves."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and not rule.rule.endswith("openapi.json"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            routes |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def test_the_document_lists_every_path_and_method(app, document):
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops if method != "parameters"}
    assert documented == api_routes(app)
    assert {path for path, _ in documented} >= {
        "/api/v1/tickets", "/api/v1/tickets/{ticket_id}", "/api/v1/tickets/{ticket_id}/replies",
        "/api/v1/tickets/{ticket_id}/merge", "/api/v1/tickets/{ticket_id}/messages/{message_id}/retry",
        "/api/v1/customers", "/api/v1/customers/{customer_id}", "/api/v1/customers/{customer_id}/merge",
    }


def test_every_operation_documents_a_summary_its_success_and_401(document):
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            if method == "parameters":
                continue
            assert op.get("summary"), (method, path)
            assert "401" in op["responses"], (method, path)
            assert any(code.startswith("2") for code in op["responses"]), (method, path)


def test_bearer_authentication_is_the_documented_security_scheme(document):
    assert document["openapi"].startswith("3.")
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert document["security"] == [{"bearerAuth": []}]


def test_every_reference_resolves(document):
    refs = re.findall(r'"\$ref": "#/([^"]+)"', json.dumps(document))
    assert refs
    for ref in refs:
        node = document
        for part in ref.split("/"):
            node = node[part]


def test_schemas_carry_the_limits_and_enums_the_api_enforces(document):
    schemas = document["components"]["schemas"]
    assert schemas["NewTicket"]["properties"]["subject"]["maxLength"] == 255
    assert schemas["NewTicket"]["properties"]["body"]["maxLength"] == 100_000
    assert set(schemas["NewTicket"]["required"]) == {"body", "customer"}
    assert schemas["TicketChanges"]["properties"]["status"]["enum"] == ["new", "open", "pending", "on_hold", "solved",
                                                                        "closed"]
    assert schemas["CustomerChanges"]["properties"]["tier"]["enum"] == ["standard", "premium", "vip"]
    assert set(schemas["Error"]["properties"]) >= {"code", "status", "message", "errors", "merged_into_id"}


def test_the_document_names_recipients_reply_to_all_and_the_new_ticket_properties(document):
    schemas = document["components"]["schemas"]
    assert {"to", "cc"} <= set(schemas["Message"]["properties"])
    assert schemas["Message"]["properties"]["cc"]["items"]["$ref"].endswith("/Address")
    assert "reply_all" in schemas["Reply"]["properties"]
    new_ticket = schemas["NewTicket"]["properties"]
    assert {"priority", "status", "tags", "group", "assignee_id", "channel"} <= set(new_ticket)
    assert new_ticket["channel"]["enum"] == ["web", "phone", "email"]
