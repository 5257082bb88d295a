"""Routing simulation (issue 19): a day of arrivals for 50 agents, routed by the real strategies.

20,000 tickets (e-mail, chat, messaging; English, Spanish, German; SLA first-response targets per
channel and priority) arrive over a simulated day at two groups (Support, Billing) of 50 agents
with different skills, capacities and 8-hour shifts (`--roster`: staggered starts planned to the
forecast, or the three blocks of the first measurements; bench/routing_roster.py). Each routing decision is made by
`helpdesk.services.routing.strategies` (`rank`, `queue_order`), the same functions the engine
(`services/routing/assign.py`) calls with snapshots read from the database; the database layer
itself (locks, commits) is not in the loop: it is measured by the service tests, not here.

The same arrivals, agents and random draws (accepting an offer, handling times) are run through:
- `round_robin_fifo`: plain round robin, queue served in arrival order (the baseline);
- `least_loaded_sla`: least loaded, queue in SLA order;
- `skills_sla`: skills-based (language, billing topic, channel), queue in SLA order; among the
  agents with the skills, the one with the least recent work (`Agent.recent_work`, faded by
  `strategies.recent`, which this simulation credits through `strategies.share` when a ticket is
  assigned or an offer accepted, as `assign.credit` does for the engine).

Reported: time to assign (arrival to assignment, or to the accepted offer) p50/p95 in simulated
seconds; the decision's own compute time p50/p95 (rank over the group); first-response SLA
breaches; fairness = max / min over a group's agents of the work they handled per hour on shift,
weighed by channel kind as routing weighs it (an item counts its time open divided by the agent's
capacity for its kind: the share of the agent it took); and, for each group, the busiest shift's mean
over the quietest's (`shift_means_max_over_min`): what the roster alone imposes on that figure.

    .venv/bin/python -m bench.bench_routing [--tickets 20000] [--seed 7] [--roster staggered|blocks]
        [--json bench/results/routing.json]
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import json
import os
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bench import routing_roster
from bench.routing_roster import SHIFT_HOURS, demand
from helpdesk.services.routing.strategies import LIVE_KINDS, Agent, Work, queue_order, rank, recent, share

DAY = 86400
START = datetime(2026, 12, 7)
LANGUAGES = (("en", 0.6), ("es", 0.25), ("de", 0.15))
CHANNELS = (("ticket", 0.6), ("chat", 0.25), ("messaging", 0.15))
BILLING_SHARE = 0.35
# First-response targets in seconds per kind and priority (the SLA policies of the simulation).
TARGETS = {"chat": {"normal": 120, "high": 60}, "messaging": {"normal": 900, "high": 600},
           "ticket": {"normal": 4 * 3600, "high": 3600}}
# Minutes an item stays open with its agent (uniform range); without the customer's language, SLOWER.
HOLD = {"chat": (5, 12), "messaging": (8, 20), "ticket": (10, 30)}
SLOWER = 1.6
# Seconds from assignment to the agent's first response.
FIRST_REPLY = {"chat": (5, 30), "messaging": (30, 180), "ticket": (120, 1500)}
ROSTERS = ("staggered", "blocks")  # bench/routing_roster.py
SCAN = 200  # a dispatch looks at the head of the queue only, as the engine's backfill does (limit)
OFFER_TIMEOUT, ACCEPT_P = 30, 0.9
WARNING_FRACTION = 0.5  # the simulated policies warn at half the target (the engine reads sla_state)


@dataclass
class Ticket:
    id: int
    at: float
    group: str
    kind: str
    language: str
    tags: tuple[str, ...]
    priority: str
    draws: random.Random
    assigned_at: float | None = None
    first_reply_at: float | None = None
    agent: int | None = None
    offered: set = field(default_factory=set)

    @property
    def due(self) -> float:
        return self.at + TARGETS[self.kind][self.priority]


def _pick(rng: random.Random, table) -> str:
    x, total = rng.random(), 0.0
    for value, part in table:
        total += part
        if x < total:
            return value
    return table[-1][0]


def arrivals(count: int, seed: int) -> list[Ticket]:
    """`count` tickets over a day, denser in working hours (a two-hump curve)."""
    rng = random.Random(seed)
    times = []
    while len(times) < count:
        t = rng.random() * DAY
        if rng.random() < demand(t / 3600) / 2.1:
            times.append(t)
    times.sort()
    found = []
    for n, at in enumerate(times, 1):
        kind, language = _pick(rng, CHANNELS), _pick(rng, LANGUAGES)
        billing = rng.random() < BILLING_SHARE
        found.append(Ticket(n, at, "billing" if billing else "support", kind, language,
                            ("billing",) if billing else (), "high" if rng.random() < 0.15 else "normal",
                            random.Random(seed * 1_000_003 + n)))
    return found


def staff(seed: int, roster: str = "staggered", tickets: int = 20000) -> dict[str, list[tuple[Agent, float]]]:
    """50 agents (30 Support, 20 Billing) with languages, capacities and a shift start each (in
    seconds, from `routing_roster`'s `roster`)."""
    rng = random.Random(seed + 1)
    groups: dict[str, list[Agent]] = {"support": [], "billing": []}
    for n in range(50):
        group = "support" if n < 30 else "billing"
        skills = {("language", "en"): rng.randint(3, 5)}
        if rng.random() < 0.45:
            skills[("language", "es")] = rng.randint(2, 5)
        if rng.random() < 0.3:
            skills[("language", "de")] = rng.randint(2, 5)
        if group == "billing":
            skills[("tag", "billing")] = rng.randint(2, 5)
        capacity = {"chat": rng.randint(2, 4), "messaging": rng.randint(2, 3), "ticket": rng.randint(10, 20)}
        groups[group].append(Agent(id=n + 1, name=f"agent {n + 1}", status="offline", capacity=capacity, skills=skills))
    planned = {}
    for group, members in groups.items():
        # The group's forecast minutes of work a day by kind: arrivals times mean handling minutes.
        volume = tickets * (BILLING_SHARE if group == "billing" else 1 - BILLING_SHARE)
        forecast = routing_roster.Forecast({kind: volume * part * sum(HOLD[kind]) / 2 for kind, part in CHANNELS},
                                           dict(LANGUAGES), SLOWER)
        starts = routing_roster.blocks(len(members)) if roster == "blocks" else routing_roster.staggered(members, forecast)
        planned[group] = [(agent, float(start)) for agent, start in zip(members, starts, strict=True)]
    return planned


def _on_shift(start: float, now: float) -> bool:
    return (now - start) % DAY < SHIFT_HOURS * 3600


class Simulation:
    """One strategy over the day: events in a heap, the queue dispatched after each event."""

    def __init__(self, strategy: str, sla_order: bool, tickets: list[Ticket], groups, seed: int) -> None:
        self.strategy, self.sla_order = strategy, sla_order
        self.tickets = [Ticket(t.id, t.at, t.group, t.kind, t.language, t.tags, t.priority,
                               random.Random(seed * 7919 + t.id)) for t in tickets]
        self.groups = {g: [(Agent(a.id, a.name, "offline", dict(a.capacity), {}, dict(a.skills)), s) for a, s in members]
                       for g, members in groups.items()}
        self.agents = {a.id: (a, s) for members in self.groups.values() for a, s in members}
        self.queue: dict[str, list[Ticket]] = {g: [] for g in self.groups}
        self.events: list = []
        self.order = itertools.count()
        self.handled: dict[int, float] = {a: 0.0 for a in self.agents}
        self.decisions: list[float] = []
        self.pending: dict[int, int] = {}  # ticket id -> agent offered

    def push(self, at: float, kind: str, item) -> None:
        # Events at the same time and of the same kind (two offers declined in one dispatch time
        # out together) run in the order they were pushed: id(item) ordered them by memory address,
        # which differed between processes and after other simulations in the same one.
        heapq.heappush(self.events, (at, kind, next(self.order), item))

    def run(self) -> dict:
        for ticket in self.tickets:
            self.push(ticket.at, "arrive", ticket)
        for hour in range(0, DAY + 3600, 900):  # shifts start and end on quarter hours
            self.push(float(hour), "shift", None)
        while self.events:
            now, kind, _, item = heapq.heappop(self.events)
            if kind == "arrive":
                self.queue[item.group].append(item)
            elif kind == "shift":
                self._shifts(now)
            elif kind == "done":
                agent, ticket = item
                agent.load[ticket.kind] -= 1
            elif kind == "answer":
                self._answer(now, *item)
            self._dispatch(now)
        return self._report()

    def _shifts(self, now: float) -> None:
        for agent, start in self.agents.values():
            status = "online" if _on_shift(start, now) and now < DAY else "offline"
            if status == "online" and agent.status == "offline":
                agent.shift_work = 0.0  # a new shift
            agent.status = status

    def _work(self, ticket: Ticket, now: float) -> Work:
        target = TARGETS[ticket.kind][ticket.priority]
        return Work(ticket.id, ticket.kind, ticket.language, ticket.tags, breached=now > ticket.due,
                    due_at=START + timedelta(seconds=ticket.due), created_at=START + timedelta(seconds=ticket.at),
                    urgent=now >= ticket.at + WARNING_FRACTION * target)

    def _dispatch(self, now: float) -> None:
        for group, waiting in self.queue.items():
            if not waiting:
                continue
            members = [a for a, _ in self.groups[group]]
            if not any(a.status == "online" and any(a.room(k) > 0 for k in a.capacity) for a in members):
                continue  # nobody may take anything: skip sorting the queue
            items = (waiting if not self.sla_order else self._sla_sorted(waiting, now))[:SCAN]
            full: set = set()
            clock = START + timedelta(seconds=now)
            for ticket in list(items):
                work = self._work(ticket, now)
                # Nothing changed since a ticket needing the same found nobody: neither would this one.
                same = work.kind if self.strategy != "skills" else (work.kind, work.language, work.tags, work.urgent)
                if same in full or ticket.id in self.pending:
                    continue
                began = time.perf_counter()
                choices = rank(self.strategy, work, members, frozenset(ticket.offered), clock)
                self.decisions.append(time.perf_counter() - began)
                if not choices:
                    if not ticket.offered:
                        full.add(same)
                    continue
                agent = choices[0].agent
                agent.last_assigned_at = START + timedelta(seconds=now, microseconds=len(self.decisions))
                agent.load[ticket.kind] = agent.load.get(ticket.kind, 0) + 1
                if ticket.kind in LIVE_KINDS:
                    self.pending[ticket.id] = agent.id
                    accepts = ticket.draws.random() < ACCEPT_P
                    delay = ticket.draws.uniform(2, 12) if accepts else OFFER_TIMEOUT
                    self.push(now + delay, "answer", (ticket, agent, accepts))
                else:
                    self._assign(now, ticket, agent)
                waiting.remove(ticket)

    def _sla_sorted(self, waiting: list[Ticket], now: float) -> list[Ticket]:
        by_id = {t.id: t for t in waiting}
        works = [Work(t.id, t.kind, breached=t.due < now, due_at=START + timedelta(seconds=t.due),
                      created_at=START + timedelta(seconds=t.at)) for t in waiting]
        return [by_id[w.ticket_id] for w in queue_order(works)]

    def _answer(self, now: float, ticket: Ticket, agent: Agent, accepts: bool) -> None:
        del self.pending[ticket.id]
        if accepts and agent.status == "online":
            self._assign(now, ticket, agent)
            return
        agent.load[ticket.kind] -= 1
        ticket.offered.add(agent.id)
        self.queue[ticket.group].insert(0, ticket)  # back at the head: it has waited longest

    def _assign(self, now: float, ticket: Ticket, agent: Agent) -> None:
        ticket.assigned_at, ticket.agent = now, agent.id
        speaks = ("language", ticket.language) in agent.skills
        slow = 1.0 if speaks else SLOWER
        ticket.first_reply_at = now + ticket.draws.uniform(*FIRST_REPLY[ticket.kind]) * slow
        hold = ticket.draws.uniform(*HOLD[ticket.kind]) * 60 * slow
        self.handled[agent.id] += hold / agent.capacity[ticket.kind]
        # As the engine credits an assignment (assign.credit).
        taken, clock = share(agent.capacity, ticket.kind), START + timedelta(seconds=now)
        agent.shift_work += taken
        agent.recent_work, agent.recent_work_at = recent(agent.recent_work, agent.recent_work_at, clock) + taken, clock
        self.push(now + hold, "done", (agent, ticket))

    def _report(self) -> dict:
        waits = sorted(t.assigned_at - t.at for t in self.tickets if t.assigned_at is not None)
        breaches = sum(1 for t in self.tickets if t.first_reply_at is None or t.first_reply_at > t.due)
        fairness, shifts_apart = {}, {}
        for group, members in self.groups.items():
            per_hour = [self.handled[a.id] / SHIFT_HOURS for a, _ in members]
            fairness[group] = round(max(per_hour) / min(per_hour), 3) if min(per_hour) > 0 else None
            means = []
            for start in sorted({s for _, s in members}):
                shift = [self.handled[a.id] / SHIFT_HOURS for a, s in members if s == start]
                means.append(sum(shift) / len(shift))
                hour = int(start // 3600)
                fairness[f"{group} {hour:02d}-{(hour + SHIFT_HOURS) % 24:02d}h"] = (
                    round(max(shift) / min(shift), 3) if min(shift) > 0 else None)
            # What the roster alone imposes: the busiest shift's mean over the quietest's. Routing
            # only shares out the work of agents online together, so the group's figure cannot go
            # below this however evenly each shift is served.
            shifts_apart[group] = round(max(means) / min(means), 3) if min(means) > 0 else None
        decisions = sorted(self.decisions)
        return {
            "assigned": len(waits), "unassigned": len(self.tickets) - len(waits),
            "wait_p50_s": round(_pct(waits, 50), 1), "wait_p95_s": round(_pct(waits, 95), 1),
            "decision_p50_ms": round(_pct(decisions, 50) * 1000, 3), "decision_p95_ms": round(_pct(decisions, 95) * 1000, 3),
            "decisions": len(decisions), "first_response_breaches": breaches,
            "breach_rate": round(breaches / len(self.tickets), 4), "fairness": fairness,
            "shift_means_max_over_min": shifts_apart,
            "language_mismatches": sum(1 for t in self.tickets if t.agent is not None
                                       and ("language", t.language) not in self.agents[t.agent][0].skills),
        }


def _pct(values: list[float], p: int) -> float:
    if not values:
        return 0.0
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--roster", choices=ROSTERS, default=ROSTERS[0], help="bench/routing_roster.py")
    parser.add_argument("--json", default="bench/results/routing.json")
    args = parser.parse_args()
    tickets, groups = arrivals(args.tickets, args.seed), staff(args.seed, args.roster, args.tickets)
    results = {"tickets": args.tickets, "agents": 50, "seed": args.seed, "roster": args.roster,
               "shift_starts_h": {g: sorted(int(s // 3600) for _, s in members) for g, members in groups.items()},
               "load": os.getloadavg()}
    for name, strategy, sla_order in (("round_robin_fifo", "round_robin", False),
                                      ("least_loaded_sla", "least_loaded", True),
                                      ("skills_sla", "skills", True)):
        began = time.perf_counter()
        results[name] = Simulation(strategy, sla_order, tickets, groups, args.seed).run()
        results[name]["wall_s"] = round(time.perf_counter() - began, 1)
        print(name, json.dumps(results[name]), flush=True)
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as out:
        json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
