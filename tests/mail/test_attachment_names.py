"""Attachment names from a real mail (through Dovecot and the mailbox sync) lose the bidirectional
and invisible formatting characters that disguise an extension ("invoice<RLO>fdp.exe" shows as
"invoiceexe.pdf"), in the stored name and in the download's Content-Disposition."""

from __future__ import annotations

import email
import email.policy
from urllib.parse import unquote

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Attachment
from helpdesk.services.mail import sync as mail_sync
from tests.mail.conftest import make_mail

DISGUISED = {
    "invoice\u202efdp.exe": "invoicefdp.exe",  # right-to-left override
    "\u2067photo\u2069\u200f.jpg\u202a.scr": "photo.jpg.scr",  # isolates, a mark, an embedding
    "Scan\u200b\ufeff 2291\u2060.pdf": "Scan 2291.pdf",  # zero-width space, BOM, word joiner
}


def test_bidi_and_invisible_characters_are_stripped_from_mailed_file_names(mailbox, dovecot, client, make_user, login):
    mail = email.message_from_bytes(make_mail(subject="Factura"), policy=email.policy.default)
    for name in DISGUISED:
        mail.add_attachment(b"MZ\x90\x00 not really a pdf", maintype="application", subtype="octet-stream",
                            filename=name)
    dovecot.deliver(mailbox.user, bytes(mail))
    assert len(mail_sync.sync_mailbox(mailbox.id).tickets) == 1
    stored = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert [a.filename for a in stored] == list(DISGUISED.values())

    login(make_user(role="admin"))
    disposition = client.get(f"/attachments/{stored[0].id}").headers["Content-Disposition"]
    assert disposition.startswith("attachment") and unquote(disposition).endswith("invoicefdp.exe")
