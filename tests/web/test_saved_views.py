"""Saved views in the console: saved from the list on screen, paged in their own sort, kept private."""

from __future__ import annotations

import re

from helpdesk.extensions import db
from helpdesk.models import SavedView
from tests.web import test_ticket_console as console

agent = console.agent  # the signed-in Support agent
row_ids = console.row_ids


def test_the_list_on_screen_is_saved_as_a_view_and_pages_in_its_sort(client, agent, inbound, monkeypatch):
    from helpdesk.web import saved_views as page_module

    monkeypatch.setattr(page_module, "PAGE_SIZE", 2)
    ids = [inbound(subject=f"Question {n}").ticket_id for n in range(3)]
    saved = client.post("/views", data={"name": "Oldest first", "query": "view=open&sort=oldest&tag=",
                                         "columns": ["subject", "status"]})
    assert saved.status_code == 303
    view = db.session.query(SavedView).one()
    assert (view.filters, view.sort, view.columns) == ({"view": "open"}, "oldest", ["subject", "status"])
    first = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert row_ids(first) == ids[:2]
    assert "hide-channel" in first and "hide-subject" not in first
    next_url = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert next_url.startswith(f"/views/{view.id}?")
    assert row_ids(client.get(next_url).get_data(as_text=True)) == ids[2:]
    nav = client.get("/views/nav").get_data(as_text=True)
    assert re.search(rf'id="saved-view-count-{view.id}">3<', nav)


def test_a_view_with_nonsense_filters_is_not_saved(client, agent):
    response = client.post("/views", data={"name": "Bad", "query": "view=everything"})
    assert response.status_code == 303
    assert db.session.query(SavedView).count() == 0
    assert client.post("/views", data={"name": "", "query": "view=open"}).status_code == 303
    assert db.session.query(SavedView).count() == 0


def test_another_agents_view_is_not_found(client, agent, make_user, login):
    client.post("/views", data={"name": "Private", "query": "view=open"})
    view = db.session.query(SavedView).one()
    login(make_user(groups=("Support",)))
    assert client.get(f"/views/{view.id}").status_code == 404
    assert client.post(f"/views/{view.id}/delete").status_code == 404
    assert "Private" not in client.get("/tickets").get_data(as_text=True)
