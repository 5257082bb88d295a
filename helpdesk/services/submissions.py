"""Tickets opened on a customer's behalf by an API client, through the one ingestion path."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from channels.web.form import FormSubmission, to_inbound
from helpdesk.extensions import db
from helpdesk.models import Group, User
from helpdesk.services.ingest import IngestResult, ingest
from helpdesk.services.tickets import TicketError

SOURCE = "api"


def submit(submission: FormSubmission, *, client: User) -> IngestResult:
    """Ingest `submission` as a new ticket of the web channel from source "api".

    `submission.group` must name an existing group (routing rules may still move the ticket).
    `submission.submission_id` is the client's idempotency key, scoped to `client`: the same key
    sent again by the same user returns the first result with `duplicate=True`; another user's
    identical key opens a ticket of its own.
    """
    if submission.group and db.session.scalar(select(Group.id).where(Group.name == submission.group)) is None:
        raise TicketError("group", f"no group named {submission.group!r}")
    if submission.submission_id:
        submission = replace(submission, submission_id=f"api:{client.id}:{submission.submission_id}")
    return ingest(to_inbound(submission, source=SOURCE))
