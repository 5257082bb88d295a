"""Admins manage mailboxes and the failed-mail store in the console."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import FailedMail, Mailbox, Ticket
from helpdesk.services import secrets
from helpdesk.services.mail import sync as mail_sync
from tests.mail.conftest import make_mail


def test_only_admins_reach_the_mail_pages(client, make_user, login, groups):
    login(make_user(role="supervisor"))
    assert client.get("/admin/mail/").status_code == 404


def test_an_admin_adds_a_mailbox_whose_password_is_stored_encrypted(client, make_user, login, groups, dovecot):
    login(make_user(role="admin"))
    response = client.post("/admin/mail/mailboxes", data={
        "name": "sales", "address": "Sales@Helpdesk.example", "imap_host": "127.0.0.1", "imap_port": str(dovecot.port),
        "imap_security": "none", "imap_user": "sales@helpdesk.example", "imap_password": "imap-secret",
        "group": "Billing", "acknowledge": "1"})
    assert response.status_code == 303
    mailbox = db.session.scalars(select(Mailbox)).one()
    assert mailbox.address == "sales@helpdesk.example" and mailbox.acknowledge
    assert "imap-secret" not in mailbox.imap_password_secret
    assert secrets.unseal(mailbox.imap_password_secret) == "imap-secret"
    page = client.get("/admin/mail/").get_data(as_text=True)
    assert "sales@helpdesk.example" in page and "imap-secret" not in page
    checked = client.post(f"/admin/mail/mailboxes/{mailbox.id}/check", follow_redirects=True).get_data(as_text=True)
    assert "signed in, 0 message(s) in INBOX, IDLE supported." in checked


def test_invalid_mailbox_settings_are_refused(client, make_user, login, groups):
    login(make_user(role="admin"))
    page = client.post("/admin/mail/mailboxes", data={"name": "x", "address": "not-an-address", "imap_host": "h",
                                                      "imap_port": "993", "imap_user": "u", "imap_password": "p"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Mailbox not added: address" in page and db.session.scalars(select(Mailbox)).first() is None


def test_failed_mail_is_listed_downloadable_and_reprocessable(client, make_user, login, mailbox, dovecot, monkeypatch):
    from helpdesk.services.mail import inbound as mail_inbound

    real = mail_inbound.ingest_many, mail_inbound.ingest
    hiccup = lambda *args, **kwargs: (_ for _ in ()).throw(RuntimeError("db hiccup"))  # noqa: E731
    monkeypatch.setattr(mail_inbound, "ingest_many", hiccup)
    monkeypatch.setattr(mail_inbound, "ingest", hiccup)
    dovecot.deliver(mailbox.user, make_mail(subject="stuck"))
    mail_sync.sync_mailbox(mailbox.id)
    monkeypatch.setattr(mail_inbound, "ingest_many", real[0])
    monkeypatch.setattr(mail_inbound, "ingest", real[1])
    failed = db.session.scalars(select(FailedMail)).one()
    login(make_user(role="admin"))
    page = client.get("/admin/mail/").get_data(as_text=True)
    assert "stuck" in page and "db hiccup" in page
    raw = client.get(f"/admin/mail/failed/{failed.id}/raw")
    assert raw.status_code == 200 and b"Subject: stuck" in raw.data
    done = client.post(f"/admin/mail/failed/{failed.id}/reprocess", follow_redirects=True).get_data(as_text=True)
    assert "Processed: ticket #" in done, done[done.find("<main>"):][:600]
    assert db.session.scalar(select(Ticket.subject)) == "stuck"
    assert "Nothing failed." in client.get("/admin/mail/").get_data(as_text=True)
