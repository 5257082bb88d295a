"""Fixtures for the phone line: a CTI account and a signed webhook poster."""

from __future__ import annotations

import json

import pytest

from channels.cti import signature
from helpdesk.services.calls import accounts

SECRET = "cti-shared-secret-0123456789"


@pytest.fixture
def cti_account(app, groups, make_user):
    """A CTI account in Spain whose phone group is Support, with the queue "billing" ringing for
    Billing and extension 201 answered by agent ana@staff.example."""
    make_user("agent", groups=("Support",), email="ana@staff.example", name="Ana Agent")
    return accounts.add_account(name="office-pbx", secret=SECRET, group="Support", region="ES",
                                queues=["billing=Billing"], extensions=["201=ana@staff.example"])


@pytest.fixture
def post_event(client, cti_account):
    """post_event(payload, secret=SECRET, header=None, raw=None) -> the webhook's response."""
    own_id = cti_account.id

    def post(payload: dict | None = None, secret: str = SECRET, header: str | None = None, raw: bytes | None = None,
             to: int | None = None, headers: dict | None = None):
        body = raw if raw is not None else json.dumps(payload).encode()
        sent = {"Content-Type": "application/json", **(headers or {})}
        if header != "":
            sent[signature.HEADER] = header or signature.sign(body, secret)
        return client.post(f"/webhooks/cti/{to or own_id}", data=body, headers=sent)

    return post
