"""Every message of the shared real-world corpus (when present) parses without crashing or vanishing."""

from __future__ import annotations

from pathlib import Path

import pytest

from channels.email.parser import parse_email
from tests.support import MAIL_CORPUS, mail_corpus_files, needs_mail_corpus

MESSAGES = mail_corpus_files()


@needs_mail_corpus
@pytest.mark.parametrize("path", MESSAGES, ids=lambda path: str(path.relative_to(MAIL_CORPUS)))
def test_corpus_message_parses(path: Path):
    message = parse_email(path.read_bytes(), source="corpus")
    assert message.external_id.startswith("<")
    assert "parse-failed" not in message.metadata.get("defects", "")
    assert message.body_text or message.body_html or message.attachments or message.subject
