"""Tickets opened on a customer's behalf by an API client, through the one ingestion path."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import select

from channels.web.form import FormSubmission, to_inbound
from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Group, Ticket, User
from helpdesk.models.tickets import PRIORITIES, STATUSES
from helpdesk.services import rules, tickets
from helpdesk.services.ingest import IngestResult, ingest
from helpdesk.services.tickets import TicketError

SOURCE = "api"
CHANNELS = ("web", "phone", "email")  # where the customer reached us, as the caller says


@dataclass(frozen=True)
class Properties:
    """What the caller sets on the new ticket, as an agent would in the console; None: as the
    rules decide."""

    channel: str = "web"
    priority: str | None = None
    status: str | None = None
    tags: list[str] = field(default_factory=list)
    assignee_id: int | None = None


def _group_id(name: str | None, client: User) -> int | None:
    """The id of the group named `name`; an agent may pick only their own groups."""
    if not name:
        return None
    group_id = db.session.scalar(select(Group.id).where(Group.name == name))
    if group_id is None:
        raise TicketError("group", _("no group named %(name)s", name=repr(name)))
    if not client.sees_all_groups and group_id not in client.group_ids:
        raise TicketError("group", _("you are not a member of %(name)s", name=repr(name)))
    return group_id


def _check(properties: Properties, group_id: int | None) -> list[str]:
    """Refuse (TicketError naming the field) what the console would refuse; the clean tags."""
    if properties.channel not in CHANNELS:
        raise TicketError("channel", _("must be one of %(list)s", list=list(CHANNELS)))
    if properties.priority is not None and properties.priority not in PRIORITIES:
        raise TicketError("priority", _("must be one of %(list)s", list=list(PRIORITIES)))
    if properties.status is not None and properties.status not in STATUSES:
        raise TicketError("status", _("must be one of %(list)s", list=list(STATUSES)))
    tickets.check_assignee(properties.assignee_id, group_id)
    return tickets.normalise_tags(properties.tags)


def submit(submission: FormSubmission, *, client: User, properties: Properties | None = None) -> IngestResult:
    """Ingest `submission` as a new ticket from source "api", then set `properties` as the
    console would (recorded in the timeline as `client`'s change).

    `submission.group` must name an existing group, one of the client's own unless they see every
    group; the ticket stays there even when a routing rule would move it. An assignee must be a
    member of that group (without a group: of the default group). Everything is checked before
    anything is stored (TicketError names the field). `submission.submission_id` is the client's
    idempotency key, scoped to `client`: the same key sent again by the same user returns the
    first result with `duplicate=True` and changes nothing; another user's identical key opens a
    ticket of its own.
    """
    properties = properties or Properties()
    group_id = _group_id(submission.group, client)
    if group_id is None and properties.assignee_id is not None:
        default = rules.routing().default_group
        group_id = default.id if default else None
    tags = _check(properties, group_id)
    if submission.submission_id:
        submission = replace(submission, submission_id=f"api:{client.id}:{submission.submission_id}")
    result = ingest(to_inbound(submission, source=SOURCE, channel=properties.channel))
    if result.duplicate:
        return result
    changes: dict = {"tags": tags} if tags else {}
    changes |= {k: v for k, v in (("priority", properties.priority), ("status", properties.status),
                                  ("assignee_id", properties.assignee_id)) if v is not None}
    if group_id is not None and (submission.group or properties.assignee_id is not None):
        changes["group_id"] = group_id
    if changes:
        tickets.update_ticket(db.session.get(Ticket, result.ticket_id), client, **changes)
    return result
