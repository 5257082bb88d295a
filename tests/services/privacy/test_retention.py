"""Retention: a dry run counts, a run anonymises or deletes old closed tickets of its channel
(files with their rows), nothing else; `helpdesk attachments check` lists orphan files."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from channels.base import Attachment as IncomingFile
from helpdesk.extensions import db
from helpdesk.models import Call, ChannelAccount, Message, Ticket
from helpdesk.models.base import utcnow
from helpdesk.services.privacy import retention


@pytest.fixture
def old_and_new(app, inbound):
    """Two closed e-mail tickets (one closed 40 days ago with a file), a closed chat one as old, an open one."""
    def make(channel, body, closed_days_ago=None, kind="email", address="ret@example.com"):
        result = inbound(email=address, body=body, channel=channel, kind=kind,
                         attachments=(IncomingFile("f.txt", f"file of {body}".encode(), "text/plain"),))
        if closed_days_ago is not None:
            db.session.execute(update(Ticket).where(Ticket.id == result.ticket_id).values(
                status="closed", closed_at=utcnow() - timedelta(days=closed_days_ago)))
            db.session.commit()
        return result.ticket_id

    return {"old": make("email", "oldmailbody"), "recent": make("email", "recentmailbody", 5),
            "chat": make("webchat", "oldchatbody", 40, kind="webchat", address="visitor1"),
            "open": make("email", "openmailbody")}, make


def _close(ticket_id, days):
    db.session.execute(update(Ticket).where(Ticket.id == ticket_id).values(
        status="closed", closed_at=utcnow() - timedelta(days=days)))
    db.session.commit()


def _files(app) -> list[Path]:
    return [p for p in Path(app.config["HELPDESK_ATTACHMENTS_DIR"]).rglob("*") if p.is_file()]


@pytest.mark.parametrize("action", ["anonymise", "delete"])
def test_a_dry_run_counts_and_a_run_applies_to_old_closed_tickets_of_the_channel_only(app, old_and_new, action):
    ids, _ = old_and_new
    _close(ids["old"], 40)
    pbx = ChannelAccount(kind="cti", name="pbx", settings={})
    db.session.add(pbx)
    db.session.flush()
    db.session.add(Call(account_id=pbx.id, external_id="c1", from_number="+34600111222", ticket_id=ids["old"]))
    db.session.commit()
    retention.save_policy("email", 30, action)
    files_before = len(_files(app))
    [counted] = retention.run(dry_run=True)
    assert (counted["channel"], counted["tickets"], counted["messages"], counted["attachments"]) == ("email", 1, 1, 1)
    assert db.session.get(Ticket, ids["old"]).subject != "[erased]" and len(_files(app)) == files_before
    [done] = retention.run(dry_run=False)
    assert (done["tickets"], done["files_removed"]) == (1, 1)
    db.session.expire_all()
    old = db.session.get(Ticket, ids["old"])
    if action == "delete":
        assert old is None
    else:
        assert old.subject == "[erased]"
        assert db.session.scalar(select(Message.body_text).where(Message.ticket_id == old.id)) == "[erased]"
    assert len(_files(app)) == files_before - 1
    assert db.session.scalar(select(Call.from_number)) is None  # the caller's number went with the ticket
    for kept in ("recent", "chat", "open"):
        body = db.session.scalar(select(Message.body_text).where(Message.ticket_id == ids[kept]))
        assert body.endswith("body"), kept
    assert retention.run(dry_run=True)[0]["tickets"] == 0  # done once


def test_policies_are_validated(app):
    for bad in ({"channel": "", "days": 3, "action": "delete"}, {"channel": "email", "days": 0, "action": "delete"},
                {"channel": "email", "days": 3, "action": "shred"}):
        with pytest.raises(retention.RetentionError):
            retention.save_policy(**bad)


def test_the_cli_dry_run_and_the_orphan_check(app, old_and_new):
    ids, _ = old_and_new
    _close(ids["old"], 40)
    runner = app.test_cli_runner()
    assert "no retention policy" in runner.invoke(args=["retention", "run", "--dry-run"]).output
    retention.save_policy("email", 30, "delete")
    dry = runner.invoke(args=["retention", "run", "--dry-run"])
    assert "email (closed > 30 days): would delete 1 tickets, 1 messages, 1 attachments" in dry.output
    assert runner.invoke(args=["attachments", "check"]).exit_code == 0
    stray = Path(app.config["HELPDESK_ATTACHMENTS_DIR"]) / "ab" / "abcdef0123"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"left behind")
    check = runner.invoke(args=["attachments", "check"])
    assert check.exit_code == 1 and str(stray) in check.output and "1 orphan files" in check.output
    runner.invoke(args=["retention", "run"])
    assert runner.invoke(args=["attachments", "check", "--delete"]).exit_code == 0
    assert not stray.exists()
    assert runner.invoke(args=["attachments", "check"]).exit_code == 0
