"""Rebuilding the search index from the published articles."""

from __future__ import annotations

from sqlalchemy import delete

from helpdesk.extensions import db
from knowledge_base.models import KbSearchDoc, KbSearchTerm
from knowledge_base.search import search


def test_reindex_rebuilds_what_was_lost(app, write):
    article = write("Resetting a password", "Open Settings.")
    write("Draft only", "Not published.", publish=False)
    db.session.execute(delete(KbSearchDoc))
    db.session.execute(delete(KbSearchTerm))
    db.session.commit()
    assert search("password").hits == []
    result = app.test_cli_runner().invoke(args=["kb", "reindex"])
    assert result.exit_code == 0 and result.output.startswith("indexed 1 translations")
    assert [h.article_id for h in search("password").hits] == [article.id]
    assert search("pasword", as_you_type=False).corrected == "password"
