"""The console's privacy parts: consent on the customer page (audited), export and erasure with
its confirmation, the admin page (requests, retention with a dry run), and the mailed export link."""

from __future__ import annotations

import email
import email.policy
import io
import json
import re
import zipfile

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import AuditEntry, Customer, ErasureRequest, RetentionPolicy
from helpdesk.services.privacy import consent, erasure, export
from tests.services.privacy.conftest import WORDS


def test_an_agent_sees_and_changes_consent_with_an_audit_entry(people, client, login, make_user):
    agent = make_user()
    login(agent)
    page = client.get(f"/customers/{people.target.id}").get_data(as_text=True)
    assert 'id="consent-marketing"' in page and "form ·" in page
    assert 'id="export-customer"' not in page and 'id="erase-customer"' not in page  # agents neither export nor erase
    response = client.post(f"/customers/{people.target.id}/consent", data={"surveys": "no", "marketing": "yes"})
    assert response.status_code == 303
    current = consent.consents_of(db.session.get(Customer, people.target.id))
    assert (current["surveys"].granted, current["surveys"].source, current["surveys"].actor_id) == (False, "agent", agent.id)
    assert current["marketing"].source == "form"  # unchanged: no new record
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "customer.consent").order_by(AuditEntry.id.desc()))
    assert (entry.actor_id, entry.after) == (agent.id, {"surveys": False})
    assert client.post(f"/customers/{people.target.id}/export").status_code == 403
    assert client.post(f"/customers/{people.target.id}/erase", data={"confirm": str(people.target.id)}).status_code == 403


def test_an_admin_exports_and_erases_only_after_typing_the_number(people, client, login, make_user):
    login(make_user(role="admin"))
    page = client.get(f"/customers/{people.target.id}").get_data(as_text=True)
    assert 'id="export-customer"' in page and 'id="erase-customer"' in page
    archive = client.post(f"/customers/{people.target.id}/export")
    assert archive.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.data)) as z:
        assert json.loads(z.read("customer.json"))["customer"]["notes"] is None  # staff data: with the notes only
    archive = client.post(f"/customers/{people.target.id}/export", data={"internal": "1"})
    with zipfile.ZipFile(io.BytesIO(archive.data)) as z:
        assert json.loads(z.read("customer.json"))["customer"]["notes"] == WORDS["notes"]
    wrong = client.post(f"/customers/{people.target.id}/erase", data={"confirm": "1234"}, follow_redirects=True)
    assert "type the customer" in wrong.get_data(as_text=True)
    assert db.session.get(Customer, people.target.id).erased_at is None
    done = client.post(f"/customers/{people.target.id}/erase", data={"confirm": str(people.target.id)}, follow_redirects=True)
    assert "Customer erased" in done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Customer, people.target.id).name == erasure.ERASED_NAME
    assert WORDS["notes"] not in client.get(f"/customers/{people.target.id}").get_data(as_text=True)


def test_the_admin_page_lists_requests_and_saves_retention_with_a_dry_run(people, client, login, make_user):
    request = erasure.request_erasure(people.target)
    assert erasure.request_erasure(people.target).id == request.id  # one pending request per customer
    login(make_user())
    assert client.get("/admin/privacy").status_code == 404  # not for agents
    login(make_user(role="admin"))
    page = client.get("/admin/privacy").get_data(as_text=True)
    assert f'id="erasure-request-{request.id}"' in page and "No retention policy yet" in page
    assert client.post("/admin/privacy/retention", data={"channel": "email", "days": "0", "action": "delete"},
                       follow_redirects=True).status_code == 200
    assert db.session.scalar(select(RetentionPolicy)) is None
    client.post("/admin/privacy/retention", data={"channel": "email", "days": "30", "action": "anonymise", "enabled": "1"})
    page = client.get("/admin/privacy").get_data(as_text=True)
    assert 'id="retention-email"' in page and "0 tickets, 0 messages, 0 files" in page
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "retention.update"))
    client.post(f"/admin/privacy/requests/{request.id}/reject")
    db.session.expire_all()
    assert db.session.get(ErasureRequest, request.id).state == "rejected"


def test_an_approved_request_is_done_by_the_erasure(people):
    request = erasure.request_erasure(people.target, via="portal")
    erasure.erase(people.target)
    db.session.expire_all()
    assert db.session.get(ErasureRequest, request.id).state == "done"
    assert erasure.pending_requests() == []


def test_the_portal_export_is_mailed_as_a_signed_link_that_downloads_once_valid(people, client, smtp_server, app):
    export.request_export(people.target, "zorblax@qzmail.example")
    [mail] = smtp_server.messages
    assert mail.rcpt_tos == ["zorblax@qzmail.example"]
    body = email.message_from_bytes(mail.content, policy=email.policy.default).get_body().get_content()
    link = re.search(r"http\S+/privacy/export/(\S+)", body).group(1)
    response = client.get(f"/privacy/export/{link}")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as z:
        assert json.loads(z.read("customer.json"))["customer"]["id"] == people.target.id
    assert client.get(f"/privacy/export/{link[:-2]}xx").status_code == 404
    erasure.erase(people.target)  # the prepared archive goes with the customer
    assert client.get(f"/privacy/export/{link}").status_code == 404
