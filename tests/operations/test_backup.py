"""`helpdesk backup create` and `restore`: a round trip gives back every ticket, message and file."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

from sqlalchemy import delete, select

from channels.base import Attachment
from helpdesk.extensions import db
from helpdesk.models import Message, Ticket
from helpdesk.models.messages import Attachment as StoredAttachment
from helpdesk.services import attachments


def _snapshot() -> dict:
    db.session.rollback()
    tickets = [(t.id, t.number, t.subject, t.status, t.customer_id) for t in db.session.scalars(select(Ticket).order_by(Ticket.id))]
    messages = [(m.id, m.ticket_id, m.body_text, m.kind) for m in db.session.scalars(select(Message).order_by(Message.id))]
    files = {a.storage_key: (a.filename, a.sha256, hashlib.sha256(attachments.path_for(a.storage_key).read_bytes()).hexdigest())
             for a in db.session.scalars(select(StoredAttachment))}
    return {"tickets": tickets, "messages": messages, "files": files}


def _some_data(inbound) -> None:
    for n in range(5):
        inbound(email=f"c{n}@example.com", body=f"Question number {n}", subject=f"Subject {n}",
                attachments=(Attachment(f"scan-{n}.pdf", b"%PDF-1.4 scan " + bytes([n]) * 2000, "application/pdf"),))
    inbound(email="c0@example.com", body="A follow-up with a picture",
            attachments=(Attachment("photo.png", b"\x89PNG\r\n\x1a\n" + b"x" * 500, "image/png"),))


def test_a_backup_restores_every_ticket_message_and_file(app, inbound, tmp_path):
    _some_data(inbound)
    before = _snapshot()
    assert len(before["files"]) == 6 and all(f[1] == f[2] for f in before["files"].values())
    key_file = Path(app.instance_path) / "secret_key"
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_text("the-original-key")
    runner = app.test_cli_runner()
    archive = tmp_path / "backups" / "helpdesk.tar"

    made = runner.invoke(args=["backup", "create", str(archive)])
    assert made.exit_code == 0, made.output
    assert archive.stat().st_mode & 0o077 == 0  # holds the key and customer data: owner only

    # Disaster: rows, files and the key gone.
    db.session.execute(delete(Ticket))
    db.session.commit()
    for path in Path(app.config["HELPDESK_ATTACHMENTS_DIR"]).rglob("*"):
        if path.is_file():
            path.unlink()
    key_file.write_text("a-new-key")

    restored = runner.invoke(args=["backup", "restore", str(archive)])
    assert restored.exit_code == 0, restored.output  # the database is empty of tickets: nothing to protect
    assert _snapshot() == before
    assert key_file.read_text() == "the-original-key"


def test_restore_refuses_to_overwrite_tickets_without_force_and_a_damaged_archive(app, inbound, tmp_path):
    _some_data(inbound)
    runner = app.test_cli_runner()
    archive = tmp_path / "b.tar"
    assert runner.invoke(args=["backup", "create", str(archive)]).exit_code == 0

    kept = runner.invoke(args=["backup", "restore", str(archive)])
    assert kept.exit_code != 0 and "--force" in kept.output

    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("attachments/"):
                data = data[:-1] + b"!"
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    before = _snapshot()
    broken = runner.invoke(args=["backup", "restore", "--force", str(damaged)])
    assert broken.exit_code != 0 and "damaged" in broken.output
    assert _snapshot() == before  # nothing was touched
