"""The customer's own data in the portal: consent shown and changed (source portal, audited), the
export mailed as a link through the real SMTP path, erasure asked for (an admin approves), and an
erased customer signed out."""

from __future__ import annotations

import email
import email.policy
import io
import re
import zipfile

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import AuditEntry, Consent, ErasureRequest
from helpdesk.services import customers
from helpdesk.services.portal import links
from helpdesk.services.privacy import erasure


@pytest.fixture
def ana(app):
    return customers.create_customer(name="Ana Pérez", identities=[("email", "ana@example.com")])


@pytest.fixture
def signed_in(app, ana):
    client = app.test_client()
    assert client.post(f"/portal/en/sign-in/{links.issue(ana, 'mail')}").status_code == 303
    return client


def test_consent_is_shown_and_changed_by_the_customer(ana, signed_in):
    page = signed_in.get("/portal/en/privacy").get_data(as_text=True)
    assert 'name="marketing" value="no" checked' in page and 'name="surveys" value="yes" checked' in page
    answer = signed_in.post("/portal/en/privacy/consent", data={"service": "yes", "surveys": "no", "marketing": "yes"})
    assert answer.status_code == 303
    rows = {(c.purpose, c.granted, c.source) for c in db.session.scalars(select(Consent).where(Consent.customer_id == ana.id))}
    assert rows == {("surveys", False, "portal"), ("marketing", True, "portal")}  # service was already yes
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "customer.consent",
                                                      AuditEntry.target_id == ana.id)) is not None
    page = signed_in.get("/portal/en/privacy").get_data(as_text=True)
    assert 'name="marketing" value="yes" checked' in page and 'name="surveys" value="no" checked' in page


def test_download_my_data_mails_a_link_to_the_archive(ana, inbound, signed_in, smtp_server):
    inbound(email="ana@example.com", body="Where is my parcel?")
    assert signed_in.post("/portal/en/privacy/export").status_code == 303
    mails = [m for m in smtp_server.messages if m.rcpt_tos == ["ana@example.com"]]
    assert len(mails) == 1
    body = email.message_from_bytes(mails[0].content, policy=email.policy.default).get_body(("plain",)).get_content()
    archive = signed_in.get("/privacy/export/" + re.search(r"/privacy/export/(\S+)", body).group(1))
    assert archive.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(archive.data)).namelist()
    assert any(name.endswith(".json") for name in names)
    assert b"Where is my parcel?" in b"".join(zipfile.ZipFile(io.BytesIO(archive.data)).read(n) for n in names)


def test_erasure_is_asked_for_with_a_confirmation_and_an_erased_customer_is_signed_out(ana, signed_in):
    assert signed_in.post("/portal/en/privacy/erasure").status_code == 422
    assert db.session.scalar(select(ErasureRequest)) is None
    assert signed_in.post("/portal/en/privacy/erasure", data={"confirm": "yes"}).status_code == 303
    request = db.session.scalar(select(ErasureRequest))
    assert (request.customer_id, request.via, request.state) == (ana.id, "portal", "pending")
    assert 'id="erasure-pending"' in signed_in.get("/portal/en/privacy").get_data(as_text=True)
    erasure.erase(ana)
    assert signed_in.get("/portal/en/").status_code == 302
