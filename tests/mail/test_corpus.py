"""Real mail from other helpdesks' test suites (../shared/corpus/mail, when present): every message
goes through parse and ingest; none may crash or vanish."""

from __future__ import annotations

from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import FailedMail, Message
from helpdesk.services.mail import sync as mail_sync
from tests.support import mail_corpus_files, needs_mail_corpus

FILES = mail_corpus_files()


@needs_mail_corpus
def test_every_corpus_mail_becomes_a_ticket_message_or_a_kept_record(mailbox):
    outcomes: dict[str, list[str]] = {}
    for path in FILES:
        what, _ = mail_sync.take(mailbox, path.read_bytes())
        outcomes.setdefault(what, []).append(path.name)
    kept_as_messages = db.session.scalar(select(func.count()).select_from(Message).where(Message.raw_key.is_not(None)))
    kept_aside = db.session.scalar(select(func.count()).select_from(FailedMail))
    distinct = len({path.read_bytes() for path in FILES})
    assert kept_as_messages + kept_aside >= distinct - len(outcomes.get("duplicate", []))
    assert len(outcomes.get("failed", [])) <= len(FILES) // 20, outcomes.get("failed")
