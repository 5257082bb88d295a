"""Several routers at once (jobs in workers, web processes) never fill an agent past capacity and
never assign a ticket twice: on PostgreSQL through row locks, on SQLite through its one writer."""

from __future__ import annotations

import random
import threading

from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import Ticket, TicketEvent
from helpdesk.services import events
from helpdesk.services.routing import assign, availability

WORKERS = 6


def test_concurrent_routers_respect_capacity_and_assign_each_ticket_once(app, routed, agent, ticket):
    routed("least_loaded", ticket=3)
    people = [agent(name, status="offline") for name in ("Ana", "Ben")]
    ids = [ticket().id for _ in range(10)]
    with events.muted():  # online without the backfill that would route everything at once
        for person in people:
            availability.set_status(person, "online")
    db.session.commit()
    barrier = threading.Barrier(WORKERS)
    failures: list[BaseException] = []

    def worker(seed: int) -> None:
        order = ids[:]
        random.Random(seed).shuffle(order)
        with app.app_context():
            try:
                barrier.wait()
                with events.muted():
                    for ticket_id in order:  # every worker tries every ticket
                        assign.route_ticket(ticket_id)
            except BaseException as exc:  # noqa: BLE001 - reported below
                failures.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures
    db.session.rollback()
    over = dict(db.session.execute(select(Ticket.assignee_id, func.count()).where(Ticket.assignee_id.isnot(None))
                                   .group_by(Ticket.assignee_id)).all())
    assert all(count <= 3 for count in over.values()), over
    # A router skips an agent another router is serving at that instant; the next backfill (the
    # minute's sweep) gives them what they have room for.
    with events.muted():
        assign.backfill(None)
    per_agent = dict(db.session.execute(select(Ticket.assignee_id, func.count()).where(Ticket.assignee_id.isnot(None))
                                        .group_by(Ticket.assignee_id)).all())
    assert per_agent == {people[0].id: 3, people[1].id: 3}
    assigned = [e.ticket_id for e in db.session.scalars(select(TicketEvent).where(TicketEvent.kind == "routing"))
                if e.data.get("action") == "assigned"]
    assert len(assigned) == len(set(assigned)) == 6
