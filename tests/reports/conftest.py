"""A hand-worked history of two tickets and two agents, stored row by row at known times.

Calendar: Monday to Friday, 09:00-17:00 UTC. 2026-03-02 is a Monday.

Ticket 1 (email, normal, Support, under the policy with that calendar), created Mon 08:00:
  08:00:30 automated acknowledgement (not a response)   08:05 assigned to Ana (by the supervisor)
  10:00 Ben replies (first response: 2 h, 1 h business)  10:30 Ana writes a note (not a reply)
  11:00 reassigned to Ben                                12:00 Ben sets pending
  14:00 the customer writes: open again                  15:00 Ben solves (7 h; 4 h business:
        09-12 and 14-15, the pending time paused)
  Tue 09:30 the customer writes: reopened, credited to Ben, whose solve it undid
  Tue 10:00 Ana replies                                  Tue 11:00 Ana solves (27 h; 5.5 h business:
        Mon 09-12, 14-15, Tue 09:30-11, solved time paused)
  SLA: first response met (Mon 10:00), resolution missed (breached Mon 15:00, so counted on Monday;
  credited to Ana, whose solve Tue 11:00 stopped it).
Ticket 2 (email, normal, Support, no policy: business time is calendar time), created Mon 20:00:
  20:30 Ana replies (first response 30 min), 21:00 Ana again, 21:30 Ben replies, Tue 08:00 Ana solves (12 h).
Surveys: CSAT for Ben's solve sent Mon 16:00, answered 5; CSAT for Ana's solve of ticket 1 sent
Tue 12:00, never answered; NPS for Ana's solves: ticket 1 answered 10, ticket 2 answered 8.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest

MON = datetime(2026, 3, 2)


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A time on 2026-03-0`day`."""
    return datetime(2026, 3, day, hour, minute, second)


@dataclass
class Scenario:
    ana: object
    ben: object
    boss: object
    support: object
    billing: object
    t1: int
    t2: int


@pytest.fixture
def scenario(app, make_user, groups) -> Scenario:
    from helpdesk.extensions import db
    from helpdesk.models import Customer, Message, SlaOutcome, Survey, Ticket, TicketEvent
    from helpdesk.services.sla import config as sla_config

    support, billing = groups
    ana = make_user("agent", ("Support",), name="Ana")
    ben = make_user("agent", ("Support",), name="Ben")
    boss = make_user("supervisor", (), name="Sue")
    cal = sla_config.save_calendar(None, name="Office", timezone="UTC", hours={"mon-fri": "09:00-17:00"})
    policy = sla_config.save_policy(None, name="Standard", calendar_id=cal.id, targets=[
        {"kind": "first_response", "goal_seconds": 3600, "business_time": True},
        {"kind": "resolution", "goal_seconds": 14400, "business_time": True}])
    customer = Customer(name="Carla")
    db.session.add(customer)
    db.session.flush()

    def ticket(created, policy_id):
        row = Ticket(subject=f"Help {created:%H%M}", status="solved", channel="email", source="mail:1",
                     customer_id=customer.id, group_id=support.id, priority=1, created_at=created,
                     updated_at=created, sla_policy_id=policy_id)
        db.session.add(row)
        db.session.flush()
        return row

    def event(ticket_id, when, kind, actor=None, **data):
        db.session.add(TicketEvent(ticket_id=ticket_id, actor_id=actor.id if actor else None, kind=kind, data=data,
                                   created_at=when))
        db.session.flush()

    def message(ticket_id, when, kind, author=None, automated=False):
        db.session.add(Message(ticket_id=ticket_id, kind=kind, channel="email", author_id=author.id if author else None,
                               body_text="text", is_automated=automated, created_at=when))

    t1 = ticket(at(2, 8), policy.id)
    event(t1.id, at(2, 8), "created", channel="email")
    message(t1.id, at(2, 8), "inbound")
    message(t1.id, at(2, 8, 0, 30), "outbound", automated=True)
    event(t1.id, at(2, 8, 5), "changed", boss, assignee_id=[None, ana.id])
    message(t1.id, at(2, 10), "outbound", ben)
    event(t1.id, at(2, 10), "changed", ben, status=["new", "open"])
    message(t1.id, at(2, 10, 30), "note", ana)
    event(t1.id, at(2, 11), "changed", boss, assignee_id=[ana.id, ben.id])
    event(t1.id, at(2, 12), "changed", ben, status=["open", "pending"])
    message(t1.id, at(2, 14), "inbound")
    event(t1.id, at(2, 14), "status", status=["pending", "open"])
    event(t1.id, at(2, 15), "changed", ben, status=["open", "solved"])
    message(t1.id, at(3, 9, 30), "inbound")
    event(t1.id, at(3, 9, 30), "reopened", status=["solved", "open"])
    message(t1.id, at(3, 10), "outbound", ana)
    event(t1.id, at(3, 11), "changed", ana, status=["open", "solved"])
    db.session.add_all([
        SlaOutcome(ticket_id=t1.id, target="first_response", policy_id=policy.id, due_at=at(2, 10),
                   stopped_at=at(2, 10), counted_on=at(2, 10).date(), met=True),
        SlaOutcome(ticket_id=t1.id, target="resolution", policy_id=policy.id, due_at=at(2, 15),
                   stopped_at=at(3, 11), counted_on=at(2, 15).date(), met=False),
    ])

    t2 = ticket(at(2, 20), None)
    event(t2.id, at(2, 20), "created", channel="email")
    message(t2.id, at(2, 20), "inbound")
    message(t2.id, at(2, 20, 30), "outbound", ana)
    event(t2.id, at(2, 20, 30), "changed", ana, status=["new", "open"])
    message(t2.id, at(2, 21), "outbound", ana)
    message(t2.id, at(2, 21, 30), "outbound", ben)
    event(t2.id, at(3, 8), "changed", ana, status=["open", "solved"])

    def survey(ticket_id, kind, agent, solved, sent, score=None):
        db.session.add(Survey(kind=kind, ticket_id=ticket_id, customer_id=customer.id, agent_id=agent.id,
                              group_id=support.id, channel="email", priority=1, solved_at=solved,
                              state="answered" if score is not None else "sent", scheduled_for=sent, sent_at=sent,
                              responded_at=sent if score is not None else None, score=score))

    survey(t1.id, "csat", ben, at(2, 15), at(2, 16), 5)
    survey(t1.id, "csat", ana, at(3, 11), at(3, 12))
    survey(t1.id, "nps", ana, at(3, 11), at(3, 12), 10)
    survey(t2.id, "nps", ana, at(3, 8), at(3, 9), 8)
    db.session.commit()
    return Scenario(ana, ben, boss, support, billing, t1.id, t2.id)
