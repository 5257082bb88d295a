"""Export holds everything of the customer and nothing of anyone else; erasure leaves none of
their words in any table, search index or file, and the bystander untouched."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from helpdesk.extensions import db
from helpdesk.models import AuditEntry, Customer, Message, Ticket
from helpdesk.services.privacy import erasure, export
from tests.services.privacy.conftest import BYSTANDER, WORDS


def _archive(customer, **options) -> tuple[dict, dict[str, bytes]]:
    buffer = io.BytesIO()
    export.write_archive(customer, buffer, **options)
    with zipfile.ZipFile(buffer) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files["customer.json"]), files


def test_the_export_holds_every_word_of_the_customer_and_none_of_anyone_else(people):
    document, files = _archive(people.target)
    everything = b"".join(files.values()).decode("utf-8", "replace").lower()
    # Internal notes, the agents' notes about the customer and drafts are the staff's (the first two
    # come when asked); the timeline's details are not exported.
    staff_only = ("note", "notes", "draft", "edited")
    missing = [k for k, v in WORDS.items() if v.lower() not in everything and k not in staff_only]
    assert missing == []
    assert WORDS["note"] not in everything and WORDS["notes"].lower() not in everything
    assert not [v for v in BYSTANDER.values() if v.lower() in everything]
    assert sorted(t["id"] for t in document["tickets"]) == people.ticket_ids
    assert document["consent"]["marketing"]["granted"] is True
    assert document["survey_answers"][0]["comment"] == WORDS["comment"]
    attachment = next(n for n in files if n.startswith("attachments/"))
    assert files[attachment] == WORDS["file_content"].encode()
    assert any(n.startswith("mails/") and WORDS["raw"].encode() in files[n] for n in files)
    with_notes, _ = _archive(people.target, include_internal=True)
    assert WORDS["note"] in json.dumps(with_notes) and WORDS["notes"] in json.dumps(with_notes)


def _rows_holding(words: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, word) wherever a text, JSON or binary value holds a word, in every table."""
    found = []
    connection = db.session.connection()
    for table in inspect(connection).get_table_names():
        for row in connection.execute(text(f'SELECT * FROM "{table}"')).mappings():
            for column, value in row.items():
                if value is None or isinstance(value, (int, float, bool)) or hasattr(value, "isoformat"):
                    continue
                raw = bytes(value) if isinstance(value, (bytes, memoryview)) else str(value).encode()
                blob = raw.decode("utf-8", "replace").lower()
                found += [(table, column, w) for w in words
                          if w.lower() in blob or json.dumps(w)[1:-1].lower() in blob]
    return found


def _search_words() -> list[str]:
    """Single words of WORDS as the search engines keep them (addresses split at punctuation)."""
    import re

    return sorted({w.lower() for v in WORDS.values() for w in re.findall(r"[A-Za-z0-9]{5,}", v)} - {"example"})


def _files_holding(root: Path, words: list[str]) -> list[str]:
    return [f"{p.name}:{w}" for p in root.rglob("*") if p.is_file() for w in words
            if w.lower().encode() in p.read_bytes().lower()]


def test_erasure_leaves_no_word_of_the_customer_anywhere_and_the_bystander_untouched(people, app):
    words = list(WORDS.values())
    root = Path(app.config["HELPDESK_ATTACHMENTS_DIR"])
    before = _rows_holding(words)
    assert {t for t, _, _ in before} >= {"customers", "identities", "messages", "tickets", "attachments",
                                         "ticket_search_docs", "audit_entries", "notifications", "drafts", "calls",
                                         "call_events", "topic_models", "topics", "idempotency_keys", "surveys",
                                         "custom_values", "webhook_deliveries"}
    assert _files_holding(root, [WORDS["raw"], WORDS["file_content"]])
    bystander_before = _rows_holding(list(BYSTANDER.values()))
    target_id = people.target.id

    report = erasure.erase(people.target)

    assert report.files_removed >= 2
    assert _rows_holding(words) == [], _rows_holding(words)
    assert _rows_holding(_search_words()) == []
    assert _files_holding(root, words) == []
    if db.session.get_bind().dialect.name == "sqlite":
        vocabulary = db.session.connection()
        vocabulary.exec_driver_sql("CREATE VIRTUAL TABLE IF NOT EXISTS temp.ticket_words USING fts5vocab(main, ticket_fts, row)")
        terms = {r[0] for r in vocabulary.exec_driver_sql("SELECT term FROM temp.ticket_words")}
        assert terms & set(_search_words()) == set()
    for word in _search_words():
        assert not _matches(word), word
    assert _rows_holding(list(BYSTANDER.values())) == bystander_before
    assert _files_holding(root, [BYSTANDER["file_content"]])
    customer = db.session.get(Customer, target_id)
    assert (customer.name, customer.identities) == (erasure.ERASED_NAME, [])
    tickets = db.session.scalars(select(Ticket).where(Ticket.customer_id == target_id)).all()
    assert sorted(t.id for t in tickets) == people.ticket_ids  # kept for statistics
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "customer.erase")) == "customer.erase"
    bystander_message = db.session.scalar(select(Message).where(Message.ticket_id == people.bystander_ticket_id))
    assert bystander_message.body_text == BYSTANDER["body"] and bystander_message.raw_key


def _matches(word: str) -> bool:
    if db.session.get_bind().dialect.name == "postgresql":
        return db.session.execute(text("SELECT 1 FROM ticket_search_docs WHERE ticket_fts_document @@ "
                                       "plainto_tsquery('kb_simple', :w)"), {"w": word}).first() is not None
    return db.session.execute(text("SELECT 1 FROM ticket_fts WHERE ticket_fts MATCH :w"),
                              {"w": f'"{word}"'}).first() is not None


def test_an_erased_customer_cannot_be_erased_again(people):
    erasure.erase(people.target)
    with pytest.raises(erasure.ErasureError):
        erasure.erase(people.target)
