"""The knowledge base in the console: who may write, revisions with diff and restore, files, and
suggestions on the ticket page with insertion and a record of the article sent."""

from __future__ import annotations

import io

from sqlalchemy import select

from helpdesk.extensions import db
from knowledge_base import articles
from knowledge_base.models import KbArticle, KbRevision, KbSent


def test_only_editors_write(client, login, make_user, write):
    article = write("How to reset your password", "Steps.")
    agent = make_user(role="agent")
    login(agent)
    assert client.get(f"/kb/articles/{article.id}").status_code == 200  # every agent reads
    assert client.get("/kb/articles/new").status_code == 404
    assert client.post(f"/kb/articles/{article.id}/status", data={"status": "archived"}).status_code == 404
    assert db.session.get(KbArticle, article.id).status == "published"


def test_an_admin_grants_the_editor_capability(client, login, make_user, editor):
    agent = make_user(role="agent")
    login(editor)
    client.post("/kb/editors", data={"user_id": agent.id, "action": "grant"})
    client.post("/logout")
    login(agent)
    response = client.post("/kb/articles/new", data={"language": "en", "title": "Written by an agent",
                                                     "body_md": "Hello **world**", "visibility": "public",
                                                     "publish": "1"})
    assert response.status_code == 302
    article = db.session.scalar(select(KbArticle))
    assert article.status == "published" and article.translations[0].body_html == "<p>Hello <strong>world</strong></p>\n"


def test_every_save_keeps_a_revision_with_a_diff_and_restore(client, login, editor, write):
    article = write("Shipping times", "We ship in 2 days.")
    articles.save_translation(article, editor, language="en", title="Shipping times", body_md="We ship in 5 days.")
    revisions = articles.revisions(article)
    assert [r.number for r in revisions] == [2, 1]
    kinds = dict((line, kind) for kind, line in articles.diff(revisions[0]))
    assert kinds["-We ship in 2 days."] == "del" and kinds["+We ship in 5 days."] == "add"
    login(editor)
    page = client.get(f"/kb/revisions/{revisions[0].id}").get_data(as_text=True)
    assert "+We ship in 5 days." in page
    client.post(f"/kb/revisions/{revisions[1].id}/restore")
    db.session.expire_all()
    assert article.translation("en").body_md == "We ship in 2 days."
    newest = db.session.scalars(select(KbRevision).order_by(KbRevision.number.desc())).first()
    assert (newest.number, newest.note) == (3, "restored revision 1")


def test_translation_side_by_side_and_live_preview(client, login, editor, write):
    article = write("Shipping times", "We ship in **2** days.")
    login(editor)
    page = client.get(f"/kb/articles/{article.id}/edit?lang=es").get_data(as_text=True)
    assert "We ship in **2** days." in page and 'lang="es"' in page
    client.post(f"/kb/articles/{article.id}/edit?lang=es", data={"title": "Plazos de envío", "body_md": "En 2 días.",
                                                                 "visibility": "public"})
    assert db.session.get(KbArticle, article.id).translation("es").slug == "plazos-de-envio"
    preview = client.post("/kb/preview", data={"body_md": "**x** <script>alert(1)</script>"}).get_json()
    assert preview["html"].startswith("<p><strong>x</strong>") and "<script>" not in preview["html"]


def test_article_files_are_stored_like_ticket_attachments(client, login, editor, write):
    article = write("Screenshots", "See below.")
    login(editor)
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    response = client.post(f"/kb/articles/{article.id}/files", data={"file": (io.BytesIO(png), "shot.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    from knowledge_base.models import KbAttachment

    row = db.session.scalar(select(KbAttachment))
    assert row.content_type == "image/png" and row.size == len(png)
    client.post("/logout")
    assert client.get(f"/help/files/{row.id}/shot.png").data == png  # public article: public file


def test_suggestions_on_the_ticket_and_the_article_sent_is_recorded(client, login, make_user, groups, inbound,
                                                                   write):
    from helpdesk.models import Ticket, User
    from helpdesk.services.replies import add_reply

    password = write("How to reset your password", "Open Settings and choose Reset password.")
    write("Refund escalation playbook", "Internal: escalate a refund.", visibility="internal")
    result = inbound(email="ana@example.com", body="Hi, I forgot my password and cannot log in", subject="Login")
    agent = make_user(role="agent", groups=("Support",))
    login(agent)
    fragment = client.get(f"/kb/tickets/{result.ticket_id}/suggestions").get_data(as_text=True)
    assert "How to reset your <mark>password</mark>" in fragment and "kb-insert" in fragment
    inserted = client.get(f"/kb/articles/{password.id}/insert?lang=en&mode=text").get_json()["text"]
    assert inserted.startswith("How to reset your password\n\nOpen Settings") and f"/help/en/articles/{password.id}-" in inserted
    ticket = db.session.get(Ticket, result.ticket_id)
    add_reply(ticket, db.session.get(User, agent.id), body="Hello!\n\n" + inserted)
    sent = db.session.scalar(select(KbSent))
    assert (sent.article_id, sent.ticket_id, sent.user_id, sent.language) == (password.id, ticket.id, agent.id, "en")


def test_internal_articles_are_suggested_but_never_inserted(client, login, make_user, groups, inbound, write):
    internal = write("Refund escalation playbook", "Escalate a refund to finance.", visibility="internal")
    result = inbound(email="bo@example.com", body="I want a refund escalation", subject="Refund")
    login(make_user(role="agent", groups=("Support",)))
    fragment = client.get(f"/kb/tickets/{result.ticket_id}/suggestions").get_data(as_text=True)
    assert "playbook" in fragment and "internal" in fragment
    assert client.get(f"/kb/articles/{internal.id}/insert?mode=text").status_code == 404
