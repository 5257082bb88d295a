"""/admin/audit and GET /api/v1/audit: filters, pages, CSV and JSON export, admins only."""

from __future__ import annotations

import csv
import io

from helpdesk.extensions import db
from helpdesk.services import audit


def test_only_admins_read_the_log(client, make_user, groups, login, token_for):
    supervisor = make_user(role="supervisor")
    login(supervisor)
    assert client.get("/admin/audit").status_code == 404
    assert client.get("/admin/audit/export.csv").status_code == 404
    headers = {"Authorization": f"Bearer {token_for(supervisor)}"}
    assert client.get("/api/v1/audit", headers=headers).status_code == 403


def test_the_viewer_filters_and_exports(client, make_user, groups, login):
    admin = make_user(role="admin")
    target = make_user(name="Ana")
    login(admin)
    client.post(f"/admin/users/{target.id}", data={"name": "=HYPERLINK(1)", "role": "agent", "groups": ["Billing"]})
    page = client.get("/admin/audit?action=user.update").get_data(as_text=True)
    assert "user.update" in page and admin.email in page and "Billing" in page and "<code>auth.sign_in</code>" not in page
    assert "No entries match" in client.get("/admin/audit?action=user.update&since=2000-01-01&until=2000-01-02").get_data(as_text=True)
    assert client.get("/admin/audit?since=yesterday").status_code == 400
    exported = client.get("/admin/audit/export.csv?target_type=user")
    assert exported.mimetype == "text/csv" and "attachment" in exported.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert {r["action"] for r in rows} >= {"user.update", "auth.sign_in"}
    assert not any(v.startswith("=") for r in rows for v in r.values())
    as_json = client.get(f"/admin/audit/export.json?actor_id={admin.id}").get_json()
    assert as_json and all(r["actor_id"] == admin.id for r in as_json)


def test_the_api_pages_newest_first(client, make_user, groups, token_for):
    admin = make_user(role="admin")
    for n in range(5):
        audit.record(audit.Actor(admin.id, "192.0.2.1", "web"), "test.step", "test", n + 1)
    db.session.commit()
    headers = {"Authorization": f"Bearer {token_for(admin)}"}
    first = client.get("/api/v1/audit?action=test.&limit=3", headers=headers).get_json()
    assert [e["target_id"] for e in first["items"]] == [5, 4, 3]
    rest = client.get(f"/api/v1/audit?action=test.&limit=3&cursor={first['next_cursor']}", headers=headers).get_json()
    assert [e["target_id"] for e in rest["items"]] == [2, 1] and rest["next_cursor"] is None
    assert first["items"][0]["ip"] == "192.0.2.1" and first["items"][0]["actor_email"] == admin.email
    assert client.get("/api/v1/audit?cursor=abc", headers=headers).status_code == 422
    assert client.get("/api/v1/audit?since=nope", headers=headers).status_code == 422
