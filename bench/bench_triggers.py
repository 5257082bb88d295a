"""Trigger evaluation per event with 200 active triggers (issue 19; goal p95 < 2 ms).

    python -m bench.bench_triggers --database-url sqlite:///bench/results/triggers.sqlite3
    python -m bench.bench_triggers --database-url postgresql://postgres@127.0.0.1:5432/bench_triggers

Builds its own small database (dropped and migrated each run): 2 groups, a business calendar,
three custom fields (ticket, customer, organization), 300 tickets of 300 customers as a working
desk has them (3-7 messages of ~400 characters, customer and agent in turn; 0-4 tags; tiers,
languages, organizations and custom values), then 200 active triggers on EACH trigger event
(1,400 in all; a worst case: 200 run for every event), with realistic condition mixes (status,
priority, channel, group, text contains a few words, tier, organization, tags, custom fields of
all three entities, language, business hours; all and any lists, 2-4 conditions each) that seldom
hold, so the figure is the evaluation itself.

  evaluate   the trigger job's body (jobs.automation.run_triggers, called in-line: its own app
             context and session, as the worker runs it; the queue itself is left out) for a random
             ticket: the compiled triggers, the ticket's context read from the database, 200
             condition sets evaluated; nothing matches, so nothing is written. Wall time and this
             process's CPU time per call (what a loaded machine inflates least).
  match_only triggers.evaluate over a prepared context (CPU only, no database)
  publish    triggers.may_have(event): what the publishing request pays per event before it queues
             the job (one read of the settings token on a connection of its own)
  firing     the same event when one of the 200 matches (adds a tag, a firing row and a timeline
             line through update_ticket, commits): what a trigger that acts costs on top

Jobs run in-line; events published by firing actions run no further triggers.
"""

from __future__ import annotations

import argparse
import random
import time
import uuid

from bench import common

EVENTS = ("ticket.created", "ticket.updated", "customer.replied", "agent.replied", "sla.warning", "sla.breached",
          "survey.answered")
WORDS = ("refund", "invoice", "outage", "password", "delivery", "cancel", "broken", "upgrade", "login", "charge",
         "contract", "gdpr", "shipping", "warranty", "discount", "crash", "slow", "api", "export", "billing")
FILLER = ("the", "we", "order", "please", "since", "yesterday", "again", "could", "you", "check", "account", "thanks",
          "still", "not", "working", "after", "update", "hello", "team", "regards", "when", "will", "it", "be")
TAGS = ("vip-followup", "billing", "bug", "feature-request", "churn-risk", "escalated", "refund", "onboarding")


def _condition(rng: random.Random, groups: list[int], calendar_id: int) -> dict:
    kind = rng.randrange(14)
    if kind == 8:
        return {"field": "status", "op": "in", "value": rng.sample(["new", "open", "pending", "on_hold"], 2)}
    if kind == 9:
        return {"field": "priority", "op": "is", "value": rng.choice(["low", "high", "urgent"])}
    if kind == 10:
        return {"field": "channel", "op": "in", "value": rng.sample(["email", "telegram", "whatsapp", "webchat"], 2)}
    if kind == 11:
        return {"field": "customer.organization", "op": "is", "value": f"Org {rng.randrange(10)}"}
    if kind == 12:
        return {"field": "organization.custom.segment", "op": "in", "value": rng.sample(["SMB", "Mid", "Enterprise"], 1)}
    if kind == 13:
        return {"field": "subject", "op": "not_contains", "value": [rng.choice(WORDS)]}
    if kind == 0:
        return {"field": "text", "op": "contains", "value": rng.sample(WORDS, 3) + [f"zz{rng.randrange(10**6)}"]}
    if kind == 1:
        return {"field": "customer.tier", "op": "in", "value": ["vip"]}
    if kind == 2:
        return {"field": "group", "op": "in", "value": [rng.choice(groups)]}
    if kind == 3:
        return {"field": "tags", "op": "includes", "value": [f"never-{rng.randrange(1000)}"]}
    if kind == 4:
        return {"field": "custom.reason", "op": "is", "value": rng.choice(["Refund", "Bug", "Question"])}
    if kind == 5:
        return {"field": "language", "op": "in", "value": ["de", "fr"]}
    if kind == 6:
        return {"field": "business_hours", "op": "outside", "value": calendar_id}
    return {"field": "customer.custom.plan", "op": "is", "value": "Platinum"}


def _seed(app, rng: random.Random, *, tickets: int, per_event: int) -> dict:
    from channels.base import InboundMessage, Sender
    from helpdesk.extensions import db
    from helpdesk.models import Customer, Message, Organization, Ticket, TicketTag, Trigger
    from helpdesk.services import events, staff
    from helpdesk.services.fields import definitions, values
    from helpdesk.services.ingest import ingest
    from helpdesk.services.sla import config as sla_config

    with app.app_context():
        groups = [staff.get_or_create_group(name) for name in ("Support", "Billing")]
        db.session.commit()
        calendar = sla_config.save_calendar(None, name="Madrid", timezone="Europe/Madrid",
                                            hours={d: ["09:00-18:00"] for d in ("mon", "tue", "wed", "thu", "fri")})
        definitions.save(None, {"entity": "ticket", "key": "reason", "label": "Reason", "kind": "dropdown",
                                "options": ["Refund", "Bug", "Question"]})
        definitions.save(None, {"entity": "customer", "key": "plan", "label": "Plan", "kind": "text"})
        definitions.save(None, {"entity": "organization", "key": "segment", "label": "Segment", "kind": "dropdown",
                                "options": ["SMB", "Mid", "Enterprise"]})
        orgs = [Organization(name=f"Org {i}", domain=f"org{i}.example") for i in range(10)]
        db.session.add_all(orgs)
        db.session.commit()
        for org in orgs:
            values.stage("organization", org.id, {"segment": rng.choice(["SMB", "Mid", "Enterprise"])})
        db.session.commit()
        agent = staff.create_user(email="agent@bench.example", name="Agent", role="agent", password="bench-password")
        db.session.commit()
        ids = []
        with events.muted():
            for i in range(tickets):
                domain = f"org{i % 10}.example" if i % 3 else "mail.example"
                result = ingest(InboundMessage(channel="web", source="web", external_id=uuid.uuid4().hex,
                                               sender=Sender(kind="email", address=f"c{i}@{domain}", name=f"Customer {i}"),
                                               subject=f"Ticket {i} about {rng.choice(WORDS)}", body_text=_words(rng)))
                ids.append(result.ticket_id)
                ticket = db.session.get(Ticket, result.ticket_id)
                # A working ticket: the conversation so far, the customer's words last half the time.
                for n in range(rng.randint(2, 6)):
                    inbound = n % 2 == 1
                    db.session.add(Message(ticket_id=ticket.id, kind="inbound" if inbound else "outbound",
                                           channel="web", body_text=_words(rng),
                                           author_id=None if inbound else agent.id))
                ticket.status, ticket.priority = rng.choice(["open", "open", "pending", "new"]), rng.choice([1, 2, 2, 3])
                db.session.add_all(TicketTag(ticket_id=ticket.id, name=tag) for tag in rng.sample(TAGS, rng.randint(0, 4)))
                customer = db.session.get(Customer, ticket.customer_id)
                customer.tier = "vip" if i % 50 == 0 else "standard"
                customer.language = rng.choice(["en", "en", "es", "de"])
                values.stage("ticket", ticket.id, {"reason": rng.choice(["Refund", "Bug", "Question"])})
                if i % 2:
                    values.stage("customer", customer.id, {"plan": rng.choice(["Basic", "Pro", "Team"])})
                db.session.commit()
        group_ids = [g.id for g in groups]
        for event in EVENTS:
            for n in range(per_event):
                conditions = [_condition(rng, group_ids, calendar.id) for _ in range(rng.randint(2, 4))]
                # Last, so the others are evaluated first: a word nobody writes keeps it from firing.
                never = {"field": "text", "op": "contains", "value": [f"zq{rng.randrange(10**6)}x"]}
                db.session.add(Trigger(name=f"{event} #{n}", event=event, position=n, active=True,
                                       match_all=conditions[:-1] + [never], match_any=conditions[-1:],
                                       actions=[{"type": "add_tags", "tags": [f"t{n}"]}]))
        db.session.commit()
        return {"ticket_ids": ids, "groups": group_ids}


def _words(rng: random.Random, size: int = 400) -> str:
    """About `size` characters of a customer's or agent's message, a few topic words among them."""
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < size:
        words.append(rng.choice(WORDS) if rng.random() < 0.15 else rng.choice(FILLER))
    return " ".join(words)


def _payload(event: str, ticket_id: int, message_id: int | None) -> dict:
    payload = {"ticket_id": ticket_id, "changes": {"priority": ["normal", "high"]}}
    if event in ("customer.replied", "agent.replied"):
        payload |= {"message_id": message_id}
    if event.startswith("sla."):
        payload |= {"target": "first_response", "due_at": "2026-12-07T10:00:00Z"}
    if event == "survey.answered":
        payload |= {"survey_id": 1, "score": 2}
    return payload


def run(url: str, *, runs: int, tickets: int, per_event: int, seed: int = 19) -> dict:
    from sqlalchemy import select

    from helpdesk.extensions import db
    from helpdesk.jobs.automation import run_triggers
    from helpdesk.models import Message, Trigger
    from helpdesk.services.automation import context, runner, triggers

    rng = random.Random(seed)
    app = common.make_app(url)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    seeded = _seed(app, rng, tickets=tickets, per_event=per_event)
    results: dict = {}
    with app.app_context():
        # The message each reply event is about: the ticket's latest of that kind.
        latest = {kind: dict(db.session.execute(select(Message.ticket_id, db.func.max(Message.id))
                                                .where(Message.kind == kind).group_by(Message.ticket_id)).all())
                  for kind in ("inbound", "outbound")}
        for event in EVENTS:
            assert len(triggers.compiled(event)) == per_event
            by_message = latest["outbound" if event == "agent.replied" else "inbound"]
            cpu: list[float] = []
            db.session.rollback()  # the job opens its own session; this one holds no transaction meanwhile

            def evaluate(i: int, event=event, by_message=by_message, cpu=cpu) -> None:
                ticket_id = rng.choice(seeded["ticket_ids"])
                start = time.process_time()
                fired = run_triggers.call_local(event, uuid.uuid4().hex, _payload(event, ticket_id, by_message.get(ticket_id)))
                cpu.append((time.process_time() - start) * 1000)
                assert fired == [], fired  # the conditions never hold: evaluation only

            results[event] = {"evaluate": common.time_calls(evaluate, runs)}
            cpu_figures = common.summarise(cpu[5:])
            results[event]["evaluate"] |= {"cpu_ms_per_call": round(sum(cpu[5:]) / runs, 3),
                                           "cpu_p50": cpu_figures["p50"], "cpu_p95": cpu_figures["p95"]}
            from helpdesk.models import Ticket

            ctx = context.for_ticket(db.session.get(Ticket, seeded["ticket_ids"][0]))
            results[event]["match_only"] = common.time_calls(
                lambda i, event=event, ctx=ctx: triggers.evaluate(triggers.compiled(event), ctx), runs)
        # What the publishing request pays per event before a job is queued (jobs.automation._on_event).
        cpu_start = time.process_time()
        publish = common.time_calls(lambda i: triggers.may_have("ticket.updated"), runs)
        publish["cpu_ms_per_call"] = round((time.process_time() - cpu_start) * 1000 / (runs + 5), 3)
        # One of the 200 ticket.updated triggers holds for every ticket: the cost of acting.
        last = db.session.scalar(select(Trigger).where(Trigger.event == "ticket.updated").order_by(Trigger.position.desc()))
        last.match_all, last.match_any = [{"field": "status", "op": "in", "value": ["new", "open"]}], []
        db.session.commit()
        cpu_start = time.process_time()
        results["ticket.updated"]["firing"] = common.time_calls(
            lambda i: runner.run("ticket.updated", uuid.uuid4().hex, _payload("ticket.updated", rng.choice(seeded["ticket_ids"]), None)),
            min(runs, 200))
        results["ticket.updated"]["firing"]["cpu_ms_per_call"] = round((time.process_time() - cpu_start) * 1000 / (min(runs, 200) + 5), 2)
    return results | {"publish_check": publish}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument("--per-event", type=int, default=200)
    args = parser.parse_args()
    common.fresh_database(args.database_url)
    results = run(args.database_url, runs=args.runs, tickets=args.tickets, per_event=args.per_event)
    data = {"benchmark": "triggers", "database": common.backend(args.database_url), "per_event": args.per_event,
            "tickets": args.tickets, "results": results, "machine": common.machine(args.database_url)}
    path = common.save(f"triggers-{common.label(args.database_url)}", data)
    print(f"{'event':18} {'evaluate p50/p95/p99 ms':>26} {'CPU mean/p50/p95 ms':>22} {'conditions only p50/p95':>24}")
    for event in EVENTS:
        e, m = results[event]["evaluate"], results[event]["match_only"]
        print(f"{event:18} {e['p50']:>8} {e['p95']:>8} {e['p99']:>8} {e['cpu_ms_per_call']:>8} {e['cpu_p50']:>6} "
              f"{e['cpu_p95']:>6} {m['p50']:>12} {m['p95']:>10}")
    print("firing (ticket.updated, one of 200 matches):", results["ticket.updated"]["firing"])
    print("publish check (triggers.may_have, in the publishing request):", results["publish_check"])
    print("load:", data["machine"]["loadavg"], "->", path)


if __name__ == "__main__":
    main()
