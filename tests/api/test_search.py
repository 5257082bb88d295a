"""`GET /api/v1/search`: the console's ticket search over the API, and `helpdesk search reindex`."""

from __future__ import annotations

from tests.api.helpers import errors_of


def test_search_finds_the_misses_ranked_with_escaped_snippets(api, inbound):
    order = inbound(subject="Order 5521 never arrived", body="<b>where</b> is my order?").ticket_id
    lopez = inbound(email="maria@example.com", name="María López", subject="Cambio", body="forgot my password").ticket_id
    inbound(subject="Something else", body="nothing to see")
    assert [h["ticket"]["id"] for h in api.get("/search?q=5521").json["items"]] == [order]
    assert [h["ticket"]["id"] for h in api.get("/search?q=Lopez").json["items"]] == [lopez]
    body = api.get("/search?q=pasword").json
    assert [h["ticket"]["id"] for h in body["items"]] == [lopez] and body["corrected"] == "password"
    hit = api.get("/search?q=where").json["items"][0]
    assert "<mark>" in hit["snippet"] and "<b>" not in hit["snippet"] and "&lt;b&gt;" in hit["snippet"]


def test_agents_find_only_their_groups_tickets(api, inbound, groups):
    inbound(subject="Billing refund", group_hint="Billing")
    mine = inbound(subject="Support refund").ticket_id
    assert [h["ticket"]["id"] for h in api.get("/search?q=refund").json["items"]] == [mine]


def test_cursor_pagination_walks_every_hit(api, inbound):
    expected = {inbound(subject=f"Refund {n}").ticket_id for n in range(5)}
    seen, cursor = [], ""
    while True:
        body = api.get(f"/search?q=refund&limit=2{cursor}").json
        seen += [h["ticket"]["id"] for h in body["items"]]
        if not body["next_cursor"]:
            break
        cursor = f"&cursor={body['next_cursor']}"
    assert sorted(seen) == sorted(expected)


def test_bad_queries_are_clear_422s(api):
    assert api.get("/search").status_code == 422
    response = api.get("/search?q=group:Nowhere")
    assert response.status_code == 422 and "q" in errors_of(response, "query")
    response = api.get("/search?q=refund&cursor=forged")
    assert response.status_code == 422 and "cursor" in errors_of(response, "query")


def test_the_console_list_search_is_the_same_search(client, login, agent, inbound):
    ticket_id = inbound(email="maria@example.com", name="María López", subject="Cambio de dirección").ticket_id
    login(agent)
    page = client.get("/tickets?view=all&q=Lopez").get_data(as_text=True)
    assert f'id="ticket-row-{ticket_id}"' in page and "<mark>" in page


def test_reindex_command_rebuilds_with_progress(app, api, inbound):
    from helpdesk.extensions import db

    ticket_id = inbound(subject="Order 5521").ticket_id
    db.session.execute(db.text("DELETE FROM ticket_search_docs"))
    db.session.commit()
    assert api.get("/search?q=5521").json["items"] == []
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "indexed 1 tickets" in result.output
    assert [h["ticket"]["id"] for h in api.get("/search?q=5521").json["items"]] == [ticket_id]
