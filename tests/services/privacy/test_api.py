"""POST /api/v1/customers/<id>/export: the archive for admins and supervisors, 403 for agents, 404 unknown."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import AuditEntry
from tests.api.helpers import ApiClient
from tests.services.privacy.conftest import BYSTANDER, WORDS


def test_an_admin_gets_the_archive_an_agent_gets_403(people, client, token_for, make_user):
    admin = ApiClient(client, token_for(make_user(role="admin")))
    response = admin.post(f"/customers/{people.target.id}/export")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        document = json.loads(archive.read("customer.json"))
        assert document["customer"]["notes"] is None  # the agents' notes about them are staff data
        assert WORDS["notes"] not in json.dumps(document) and WORDS["note"] not in json.dumps(document)
        assert BYSTANDER["body"] not in json.dumps(document)
        assert not document["internal_notes_included"]
    with_notes = admin.post(f"/customers/{people.target.id}/export?internal=true")
    with zipfile.ZipFile(io.BytesIO(with_notes.data)) as archive:
        document = json.loads(archive.read("customer.json"))
        assert document["customer"]["notes"] == WORDS["notes"] and WORDS["note"] in json.dumps(document)
    supervisor = ApiClient(client, token_for(make_user(role="supervisor")))
    assert supervisor.post(f"/customers/{people.target.id}/export").status_code == 200
    assert supervisor.post(f"/customers/{people.target.id}/export?internal=true").status_code == 403  # as in the console
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "customer.export")).all()
    agent = ApiClient(client, token_for(make_user(role="agent")))
    assert agent.post(f"/customers/{people.target.id}/export").status_code == 403
    assert admin.post("/customers/99999/export").status_code == 404
