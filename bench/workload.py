"""What the console benchmark asks for: the agent, the tickets it opens, the deep pages it visits.

The same workload drives every mode (service calls, Flask test client, HTTP, JSON API), so the
figures differ only by the layers in between.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import select

from bench import common

DEEP_PAGES = range(10, 40)  # keyset pages 10-39 of the agent's open view: 500-2,000 tickets down


@dataclass(frozen=True)
class Workload:
    agent_id: int
    supervisor_id: int
    ticket_ids: list[int]  # tickets the agent may see: half open ones, half from the whole year
    deep_cursors: list[str]  # cursors of the agent's open view, pages DEEP_PAGES
    open_in_groups: int  # open tickets in the agent's groups: what the default list sorts through


def build(app, runs: int, seed: int = 7) -> Workload:
    """Pick the tickets and cursors for `runs` requests, deterministically."""
    from helpdesk.extensions import db
    from helpdesk.models import Ticket, User
    from helpdesk.models.tickets import OPEN_STATUSES
    from helpdesk.services import tickets
    from helpdesk.services.tickets import TicketFilter

    rng = random.Random(seed)
    with app.app_context():
        agent = db.session.scalar(select(User).where(User.email == common.AGENT_EMAIL))
        supervisor = db.session.scalar(select(User).where(User.email == common.SUPERVISOR_EMAIL))
        if agent is None or supervisor is None:
            raise SystemExit("no bench staff in this database: seed it with `python -m bench.seed` first")
        mine = Ticket.group_id.in_(agent.group_ids)
        open_ids = list(db.session.scalars(select(Ticket.id).where(mine, Ticket.status.in_(OPEN_STATUSES))))
        all_ids = list(db.session.scalars(select(Ticket.id).where(mine)))
        half = max(1, runs // 2)
        ids = rng.sample(open_ids, min(half, len(open_ids))) + rng.sample(all_ids, min(half, len(all_ids)))
        rng.shuffle(ids)
        cursors, cursor = [], None  # cursors[k] opens page k + 2
        for _page in range(1, DEEP_PAGES.stop - 1):
            cursor = tickets.list_page(agent, TicketFilter(view="open"), cursor=cursor).next_cursor
            if cursor is None:
                break
            cursors.append(cursor)
        deep = cursors[DEEP_PAGES.start - 2:] or cursors[-3:]  # a small database: its last pages
        if not deep:
            raise SystemExit("the agent's open view has a single page: seed more tickets")
        workload = Workload(agent.id, supervisor.id, ids, deep, len(open_ids))
        db.session.remove()
    return workload


def run_service(app, w: Workload, runs: int) -> dict:
    """Time the services the pages call: the list query, and a ticket with messages and timeline.

    Each call starts from a fresh session and re-reads the user, as a request does.
    """
    from helpdesk.extensions import db
    from helpdesk.models import User
    from helpdesk.services import tickets
    from helpdesk.services.tickets import TicketFilter

    def listing(user_id: int, cursors: list | None = None):
        def call(i: int):
            user = db.session.get(User, user_id)
            page = tickets.list_page(user, TicketFilter(view="open"), cursor=cursors[i % len(cursors)] if cursors else None)
            [t.tags for t in page.items]  # noqa: B018 - every row shows its tags
            db.session.remove()
        return call

    def ticket_page(i: int):
        user = db.session.get(User, w.agent_id)
        ticket = tickets.get_for(user, w.ticket_ids[i % len(w.ticket_ids)])
        messages = tickets.messages_of(ticket)
        [m.attachments for m in messages]  # noqa: B018 - the thread lists each message's files
        tickets.timeline_of(ticket)
        ticket.customer.identities  # noqa: B018
        db.session.remove()

    with app.app_context():
        return {
            "list_first": common.time_calls(listing(w.agent_id), runs),
            "list_deep": common.time_calls(listing(w.agent_id, w.deep_cursors), runs),
            "supervisor_list_first": common.time_calls(listing(w.supervisor_id), runs),
            "ticket": common.time_calls(ticket_page, runs),
        }
