"""The public help center: languages, fallbacks, what customers may see, votes and search."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.extensions import db
from knowledge_base import articles
from knowledge_base.models import KbSearch, KbView, KbVote


def test_the_browser_language_is_picked(client):
    response = client.get("/help/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/help/zh/")
    assert client.get("/help/", headers={"Accept-Language": "es-MX"}).headers["Location"].endswith("/help/es/")
    assert client.get("/help/").headers["Location"].endswith("/help/en/")


def test_the_help_center_speaks_the_visitors_language(client, write):
    write("How to reset your password", "Steps.")
    assert "¿Cómo podemos ayudarte?" in client.get("/help/es/").get_data(as_text=True)
    assert "我们能帮您什么" in client.get("/help/zh/").get_data(as_text=True)
    assert "How can we help?" in client.get("/help/en/").get_data(as_text=True)


def test_a_missing_translation_falls_back_and_says_so(client, write):
    article = write("How to reset your password", "Open **Settings**.")
    page = client.get(f"/help/es/articles/{article.id}").get_data(as_text=True)
    assert "How to reset your password" in page and "<strong>Settings</strong>" in page
    assert "no está disponible en Español" in page


def test_old_slugs_redirect_to_the_current_one(client, write):
    article = write("Reset password", "x", language="es")
    response = client.get(f"/help/es/articles/{article.id}-old-slug")
    assert response.status_code == 301 and response.headers["Location"].endswith(f"/{article.id}-reset-password")


def test_customers_never_see_internal_drafts_or_archived_articles(client, write):
    internal = write("Refund escalation playbook", "Internal only: refund escalation.", visibility="internal")
    draft = write("Refund draft", "Refund draft text.", publish=False)
    shown = write("Requesting a refund", "Refunds take five days.")
    archived = write("Old refund policy", "Refund within a year.")
    articles.set_status(archived, "archived")
    for hidden in (internal, draft, archived):
        assert client.get(f"/help/en/articles/{hidden.id}").status_code == 404
    page = client.get("/help/en/search?q=refund").get_data(as_text=True)
    assert "Requesting a <mark>refund</mark>" in page
    assert "playbook" not in page and "draft" not in page and "Old refund" not in page
    data = client.get("/help/api/suggest?q=refund escalation&lang=en").get_json()
    assert [i["id"] for i in data["items"]] == [shown.id]


def test_views_votes_and_searches_are_recorded(client, write):
    article = write("How to reset your password", "Steps.")
    client.get(f"/help/en/articles/{article.id}", follow_redirects=True)
    response = client.post(f"/help/en/articles/{article.id}/vote", data={"helpful": "no", "comment": "Too short"})
    assert response.status_code == 303
    client.get("/help/en/search?q=unicorns")
    assert db.session.scalar(select(KbView.article_id)) == article.id
    vote = db.session.scalar(select(KbVote))
    assert (vote.helpful, vote.comment) == (False, "Too short")
    search = db.session.scalar(select(KbSearch))
    assert (search.query, search.results, search.source) == ("unicorns", 0, "help")


def test_markdown_cannot_inject_script(client, write):
    article = write("Tricky", '<script>alert(1)</script>\n\n[click](javascript:alert(1))\n\n'
                    '<img src=x onerror=alert(1)>\n\n![x](javascript:alert(2))')
    page = client.get(f"/help/en/articles/{article.id}", follow_redirects=True).get_data(as_text=True)
    body = page.split('class="help-body">', 1)[1].split("</div>", 1)[0]
    assert "<script" not in body and "&lt;script&gt;" in body  # shown as text
    assert 'href="javascript' not in body and 'src="javascript' not in body and '<img src="x"' not in body


def test_suggest_answers_cors_only_for_widget_origins(app, client, write):
    write("Requesting a refund", "Refunds take five days.")
    app.config["HELPDESK_SOCKET_ORIGINS"] = ["https://shop.example"]
    allowed = client.get("/help/api/suggest?q=refund&lang=en", headers={"Origin": "https://shop.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    other = client.get("/help/api/suggest?q=refund&lang=en", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
