"""The knowledge-base REST API: articles and categories, editors write, everyone with a token reads."""

from __future__ import annotations

from tests.api.helpers import ApiClient


def test_an_editor_creates_translates_publishes_and_searches(client, token_for, editor):
    api = ApiClient(client, token_for(editor))
    category = api.post("/kb/categories", json={"names": {"en": "Account", "es": "Cuenta"}})
    assert category.status_code == 201, category.get_json()
    created = api.post("/kb/articles", json={"language": "en", "title": "Reset your password", "body_md": "Use **Reset**.",
                                             "category_id": category.get_json()["id"], "tags": ["login"]})
    assert created.status_code == 201, created.get_json()
    article = created.get_json()
    assert article["status"] == "draft" and article["translations"][0]["body_html"] == "<p>Use <strong>Reset</strong>.</p>\n"
    changed = api.patch(f"/kb/articles/{article['id']}", json={"translation": {
        "language": "es", "title": "Restablecer la contraseña", "body_md": "Usa **Restablecer**."}})
    assert changed.status_code == 200 and {t["language"] for t in changed.get_json()["translations"]} == {"en", "es"}
    assert api.get("/kb/articles/search?q=contraseña").get_json()["hits"] == []  # not published yet
    assert api.post(f"/kb/articles/{article['id']}/publish").get_json()["status"] == "published"
    hits = api.get("/kb/articles/search?q=contrasena&language=es").get_json()["hits"]
    assert [(h["article_id"], h["language"]) for h in hits] == [(article["id"], "es")]
    assert "<mark>" in hits[0]["snippet"] or "<mark>" in hits[0]["title"] or hits[0]["title"]
    listed = api.get("/kb/articles?status=published&language=es").get_json()
    assert [a["id"] for a in listed["items"]] == [article["id"]] and listed["next_cursor"] is None
    assert api.post(f"/kb/articles/{article['id']}/archive").get_json()["status"] == "archived"
    assert api.get("/kb/articles/search?q=password").get_json()["hits"] == []


def test_agents_read_but_do_not_write(client, token_for, make_user, write):
    article = write("Internal refund playbook", "Finance only.", visibility="internal")
    api = ApiClient(client, token_for(make_user(role="agent")))
    assert api.get(f"/kb/articles/{article.id}").get_json()["visibility"] == "internal"
    assert [h["article_id"] for h in api.get("/kb/articles/search?q=refund").get_json()["hits"]] == [article.id]
    assert api.get("/kb/articles/search?q=refund&visibility=public").get_json()["hits"] == []
    denied = api.post("/kb/articles", json={"language": "en", "title": "Mine"})
    assert denied.status_code == 403 and denied.get_json()["code"] == 403
    assert api.post(f"/kb/articles/{article.id}/archive").status_code == 403


def test_errors_use_the_api_shape(client, token_for, editor):
    api = ApiClient(client, token_for(editor))
    bad = api.post("/kb/articles", json={"language": "xx", "title": ""})
    assert bad.status_code == 422 and set(bad.get_json()["errors"]["json"]) == {"language", "title"}
    assert api.get("/kb/articles/999").status_code == 404
    assert api.post("/kb/categories", json={"names": {"es": "Cuenta"}}).get_json()["errors"]["json"] == {
        "names": ["needs an English name (en)"]}
    assert client.get("/api/v1/kb/articles").status_code == 401
