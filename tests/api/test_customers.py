"""Customer endpoints: search, profile, create, edit, merge; merged records point at the survivor."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import AuditEntry, Organization, Ticket
from tests.api.helpers import errors_of


def customer_of(ticket_id: int) -> int:
    return db.session.get(Ticket, ticket_id).customer_id


def test_search_by_name_or_any_address_pages_through_every_customer_once(api, inbound):
    created = {customer_of(inbound(email=f"person{n}@example.com", name=f"Person {n}").ticket_id) for n in range(12)}
    kim = customer_of(inbound(kind="telegram", email="777", channel="telegram", source="bot", name="Kim").ticket_id)
    seen, cursor = [], None
    while True:
        response = api.get("/customers", query_string={"limit": 5, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200
        seen += [c["id"] for c in response.get_json()["items"]]
        cursor = response.get_json()["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 13 and set(seen) == created | {kim}
    assert [c["id"] for c in api.get("/customers?q=kim").get_json()["items"]] == [kim]
    (found,) = api.get("/customers?q=person7@").get_json()["items"]
    assert found["name"] == "Person 7" and found["identities"] == [{"kind": "email", "address": "person7@example.com"}]


@pytest.mark.parametrize(("query", "field"), [("cursor=abc", "cursor"), ("limit=500", "limit"), ("q=" + "q" * 201, "q")])
def test_bad_search_arguments_are_refused_naming_the_argument(api, query, field):
    response = api.get(f"/customers?{query}")
    assert response.status_code == 422 and field in errors_of(response, "query")


def test_a_profile_lists_only_the_tickets_the_agent_may_see(api, api_as, make_user, inbound, groups):
    support = inbound(email="ana@example.com", name="Ana").ticket_id
    billing = inbound(email="ana@example.com", group_hint="Billing", thread_key="b").ticket_id
    customer_id = customer_of(support)
    profile = api.get(f"/customers/{customer_id}").get_json()
    assert profile["name"] == "Ana" and profile["ticket_ids"] == [support]
    assert profile["identities"] == [{"kind": "email", "address": "ana@example.com"}]
    assert (profile["tier"], profile["language"], profile["organization"]) == ("standard", None, None)
    supervisor = api_as(make_user(role="supervisor", groups=()))
    assert set(supervisor.get(f"/customers/{customer_id}").get_json()["ticket_ids"]) == {support, billing}


def test_unknown_customers_are_404(api):
    for customer_id in (999_999, 2**31 + 3):
        assert api.get(f"/customers/{customer_id}").status_code == 404
        assert api.patch(f"/customers/{customer_id}", json={"name": "X"}).status_code == 404
        assert api.post(f"/customers/{customer_id}/merge", json={"target_id": 1}).status_code == 404


def test_creating_a_customer_normalises_identities_and_finds_the_organization(api):
    org = Organization(name="Globex", domain="globex.example")
    db.session.add(org)
    db.session.commit()
    response = api.post("/customers", json={
        "name": " Homer  Simpson ", "tier": "premium", "language": "en-gb", "timezone": "America/New_York",
        "identities": [{"kind": "email", "address": "Homer@Globex.example"},
                       {"kind": "whatsapp", "address": "+1 555-0100"}]})
    assert response.status_code == 201, response.get_json()
    customer = response.get_json()
    assert (customer["name"], customer["tier"], customer["language"]) == ("Homer Simpson", "premium", "en-GB")
    assert customer["organization"] == {"id": org.id, "name": "Globex", "domain": "globex.example"}
    assert customer["identities"] == [{"kind": "email", "address": "homer@globex.example"},
                                      {"kind": "whatsapp", "address": "+15550100"}]
    assert customer["ticket_ids"] == []
    assert api.get(f"/customers/{customer['id']}").get_json() == customer


def test_an_identity_of_someone_else_is_a_conflict_naming_the_field(api, inbound, row_counts):
    owner = customer_of(inbound(email="taken@example.com").ticket_id)
    before = row_counts()
    response = api.post("/customers", json={"name": "Impostor", "identities": [
        {"kind": "telegram", "address": "1234"}, {"kind": "email", "address": "TAKEN@example.com"}]})
    assert response.status_code == 409
    assert errors_of(response)["identities"] == [f"email:taken@example.com already belongs to customer {owner}"]
    assert row_counts() == before


NEW = {"name": "Ok", "identities": [{"kind": "email", "address": "ok@example.com"}]}


@pytest.mark.parametrize(("change", "field"), [
    ({"name": None}, "name"), ({"name": "n" * 201}, "name"), ({"name": "  "}, "name"),
    ({"identities": []}, "identities"), ({"identities": None}, "identities"),
    ({"identities": [{"kind": "fax", "address": "1"}]}, "identities"),
    ({"identities": [{"kind": "email", "address": "not-mail"}]}, "identities"),
    ({"identities": [{"kind": "email", "address": "a@example.com"}, {"kind": "email", "address": "A@example.com"}]},
     "identities"),
    ({"tier": "gold"}, "tier"), ({"language": "english!"}, "language"), ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
    ({"organization_id": 999_999}, "organization_id"), ({"notes": "n" * 10_001}, "notes"), ({"vip": True}, "vip"),
])
def test_a_bad_new_customer_is_refused_naming_the_field(api, row_counts, change, field):
    before = row_counts()
    payload = {k: v for k, v in (NEW | change).items() if v is not None}
    response = api.post("/customers", json=payload)
    assert response.status_code == 422, response.get_json()
    assert field in errors_of(response)
    assert row_counts() == before


def test_editing_a_profile(api, inbound):
    customer_id = customer_of(inbound(email="ana@example.com", name="Ana").ticket_id)
    response = api.patch(f"/customers/{customer_id}", json={
        "name": "Ana Ruiz", "language": "PT-br", "timezone": "Europe/Madrid", "tier": "vip", "notes": "<b>prefers</b> calls"})
    assert response.status_code == 200, response.get_json()
    profile = response.get_json()
    assert (profile["name"], profile["language"], profile["timezone"]) == ("Ana Ruiz", "pt-BR", "Europe/Madrid")
    assert (profile["tier"], profile["notes"]) == ("vip", "<b>prefers</b> calls")
    cleared = api.patch(f"/customers/{customer_id}", json={"language": None, "timezone": None}).get_json()
    assert (cleared["language"], cleared["timezone"], cleared["name"]) == (None, None, "Ana Ruiz")


@pytest.mark.parametrize(("bad", "field"), [
    ({"timezone": "Europe/Atlantis"}, "timezone"), ({"language": "e"}, "language"), ({"tier": "platinum"}, "tier"),
    ({"organization_id": 424_242}, "organization_id"), ({"name": ""}, "name"), ({"identities": []}, "identities"),
])
def test_a_bad_profile_change_is_refused_and_nothing_is_half_applied(api, inbound, bad, field):
    customer_id = customer_of(inbound(email="ana@example.com", name="Ana").ticket_id)
    response = api.patch(f"/customers/{customer_id}", json={"name": "Changed", "notes": "changed"} | bad)
    assert response.status_code == 422 and field in errors_of(response)
    profile = api.get(f"/customers/{customer_id}").get_json()
    assert (profile["name"], profile["notes"]) == ("Ana", None)


def test_merging_moves_identities_and_tickets_is_audited_and_leaves_a_pointer(api, agent, inbound):
    kept_ticket = inbound(email="ana@work.example", name="Ana").ticket_id
    dup_ticket = inbound(kind="telegram", email="999", channel="telegram", source="bot", name="Ana T").ticket_id
    target, source = customer_of(kept_ticket), customer_of(dup_ticket)
    response = api.post(f"/customers/{source}/merge", json={"target_id": target})
    assert response.status_code == 200, response.get_json()
    merged = response.get_json()
    assert merged["id"] == target and set(merged["ticket_ids"]) == {kept_ticket, dup_ticket}
    assert {(i["kind"], i["address"]) for i in merged["identities"]} == {("email", "ana@work.example"), ("telegram", "999")}
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "customer.merge"))
    assert (audit.action, audit.actor_id, audit.data["source_id"]) == ("customer.merge", agent.id, source)
    for response in (api.get(f"/customers/{source}"), api.patch(f"/customers/{source}", json={"name": "X"}),
                     api.post(f"/customers/{source}/merge", json={"target_id": target})):
        assert response.status_code == 404
        assert response.get_json()["merged_into_id"] == target
    assert source not in [c["id"] for c in api.get("/customers").get_json()["items"]]


def test_a_merge_into_itself_an_unknown_or_a_merged_customer_is_refused(api, inbound, row_counts):
    a, b, c = (customer_of(inbound(email=f"{n}@example.com").ticket_id) for n in "abc")
    assert api.post(f"/customers/{a}/merge", json={"target_id": b}).status_code == 200
    before = row_counts()
    for source, target in ((c, c), (c, 999_999), (c, a)):
        response = api.post(f"/customers/{source}/merge", json={"target_id": target})
        assert response.status_code == 422 and "target_id" in errors_of(response)
    assert f"merged into {b}" in errors_of(api.post(f"/customers/{c}/merge", json={"target_id": a}))["target_id"][0]
    assert row_counts() == before
