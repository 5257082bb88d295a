"""The assignment strategies as pure functions over plain snapshots of agents and work: no database,
no clock. The routing engine (`assign.py`) builds the snapshots from the database; the routing
simulation (bench/bench_routing.py) builds them from its simulated day and calls the same code.

`rank(strategy, work, agents)` lists the agents that may take `work` (available, under capacity
for its channel kind, with the skills it needs when the strategy is `skills`), best first, each
with the reason a person reads in the ticket's timeline (a code and values, put in words by
`reasons.py` in the reader's language).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

LIVE_KINDS = ("chat", "messaging")  # offered to one agent at a time; tickets are assigned outright
_KIND_OF_CHANNEL = {"webchat": "chat", "telegram": "messaging", "whatsapp": "messaging", "messenger": "messaging"}
_NEVER = datetime.min
# How long an item of each kind typically stays with its agent, in minutes: a conversation is
# over in minutes, an e-mail ticket is a longer sitting. Counted per item so that shift work weighs
# a ticket more than a chat without waiting to see how long each really took.
TYPICAL_MINUTES = {"chat": 10, "messaging": 15, "ticket": 20}
# Recent work fades with this time constant, in hours: skills routing evens out what agents took in
# about the last half hour, so each hour's work is shared among the agents on in that hour. Work taken
# since the shift began would instead steer today's work to make up for earlier hours, which, where
# shifts overlap, were other hours for each agent (one who came on at noon would be given the
# afternoon lull to match the morning peak of those who came on at eight).
RECENT_HOURS = 0.5


def kind_of(channel: str | None) -> str:
    """The channel kind whose capacity a ticket of `channel` uses: chat, messaging or ticket."""
    return _KIND_OF_CHANNEL.get(channel or "", "ticket")


def share(capacity: dict[str, int], kind: str) -> float:
    """What one item of `kind` adds to an agent's work (`shift_work`, `recent_work`), in minutes of
    the whole agent: the minutes such an item typically stays open (`TYPICAL_MINUTES`) over the
    agent's capacity for that kind (a chat of three seats takes a third of them for its ten minutes)."""
    limit = capacity.get(kind, 0)
    return TYPICAL_MINUTES.get(kind, 0) / limit if limit > 0 else 0.0


@dataclass
class Agent:
    """What routing knows of one agent at the moment of a decision."""

    id: int
    name: str
    status: str = "online"
    capacity: dict[str, int] = field(default_factory=dict)  # kind -> open items at most
    load: dict[str, int] = field(default_factory=dict)  # kind -> open items (and pending offers)
    skills: dict[tuple[str, str], int] = field(default_factory=dict)  # (kind, value) -> level 1..5
    last_assigned_at: datetime | None = None
    # Work taken since the agent came online, in minutes of the whole agent (`share`; counted when
    # the agent has the item: a ticket assigned, an offer accepted). Shown in the reasons.
    shift_work: float = 0.0
    # The same work, fading (`recent`) since `recent_work_at`, when it was last counted. The skills
    # strategy evens it out, so an hour's work is shared fairly, not only this minute's load (an
    # agent who frees up fast would otherwise be fed without end).
    recent_work: float = 0.0
    recent_work_at: datetime | None = None

    def room(self, kind: str) -> int:
        """How many more items of `kind` the agent may take."""
        return self.capacity.get(kind, 0) - self.load.get(kind, 0)

    def utilisation(self) -> float:
        """Open work weighed by channel kind: the share of each kind's capacity in use, summed
        (one chat of three weighs as much as seven tickets of twenty)."""
        return sum(self.load.get(k, 0) / c for k, c in self.capacity.items() if c > 0)


def recent(work: float, at: datetime | None, now: datetime | None) -> float:
    """`work` counted at `at`, faded to `now`: times e^(-hours between / RECENT_HOURS). Unfaded
    without either time (or when `now` is not after `at`)."""
    if at is None or now is None or now <= at:
        return work
    return work * math.exp(-(now - at).total_seconds() / 3600 / RECENT_HOURS)


@dataclass(frozen=True)
class Work:
    """An unassigned ticket as routing sees it."""

    ticket_id: int
    kind: str
    language: str | None = None
    tags: tuple[str, ...] = ()
    breached: bool = False
    due_at: datetime | None = None
    created_at: datetime | None = None
    # Past its SLA warning (or breached): better a partial skills match now than the best one later.
    urgent: bool = False


@dataclass(frozen=True)
class Choice:
    """An agent who may take the work, and why: the strategy and the values it weighed, a JSON-ready
    dict that the timeline says in the reader's language (services.routing.reasons)."""

    agent: Agent
    reason: dict


def queue_order(items: list[Work]) -> list[Work]:
    """The unassigned queue in SLA order: breached first, then the nearest due, then the oldest."""
    return sorted(items, key=lambda w: (not w.breached, w.due_at is None, w.due_at or _NEVER,
                                        w.created_at or _NEVER, w.ticket_id))


def requirements(work: Work, agents: list[Agent]) -> list[tuple[str, str]]:
    """The skills `work` needs: its language, its tags that are a skill of someone in the group (a
    tag nobody lists as a skill is no topic), and its channel kind when the group lists channel
    skills at all."""
    known = {key for agent in agents for key in agent.skills}
    needed: list[tuple[str, str]] = []
    if work.language and any(kind == "language" for kind, _ in known):
        needed.append(("language", work.language.split("-")[0].lower()))
    needed += [("tag", tag) for tag in work.tags if ("tag", tag) in known]
    if any(kind == "channel" for kind, _ in known):
        needed.append(("channel", work.kind))
    return needed


def _available(work: Work, agents: list[Agent], exclude: frozenset[int]) -> list[Agent]:
    return [a for a in agents if a.status == "online" and a.id not in exclude and a.room(work.kind) > 0]


def _load(agent: Agent) -> list[list]:
    return [[k, agent.load.get(k, 0), c] for k, c in sorted(agent.capacity.items()) if c > 0]


def _round_robin(work: Work, agents: list[Agent]) -> list[Choice]:
    ordered = sorted(agents, key=lambda a: (a.last_assigned_at or _NEVER, a.id))
    return [Choice(a, {"strategy": "round_robin", "available": len(agents)}) for a in ordered]


def _least_loaded(work: Work, agents: list[Agent]) -> list[Choice]:
    ordered = sorted(agents, key=lambda a: (a.utilisation(), a.last_assigned_at or _NEVER, a.id))
    return [Choice(a, {"strategy": "least_loaded", "percent": round(100 * a.utilisation() / max(len(a.capacity), 1)),
                       "load": _load(a), "available": len(agents)}) for a in ordered]


def _skills(work: Work, agents: list[Agent], needed: list[tuple[str, str]], online: list[Agent],
            now: datetime | None) -> list[Choice]:
    able = [a for a in agents if all(a.skills.get(key, 0) > 0 for key in needed)]
    partial = not able and (work.urgent or not any(all(a.skills.get(k, 0) > 0 for k in needed) for a in online))
    if partial:
        # Nobody with every skill may take it: when none is online at all, or the ticket is past its
        # SLA warning, the agents with the most of them do, rather than letting it wait.
        able = agents

    def matched(agent: Agent) -> int:
        return sum(1 for key in needed if agent.skills.get(key, 0) > 0) if partial else 0

    # Among the able, the one who has recently taken the least of their capacity (`recent`), then
    # the longest without new work. Levels do not order them: the best speaker first would get most
    # of their language's work, and a free agent beats a busier expert (SLA time is lost in queues).
    faded = {a.id: recent(a.recent_work, a.recent_work_at, now) for a in able}
    ordered = sorted(able, key=lambda a: (-matched(a), faded[a.id], a.last_assigned_at or _NEVER, a.id))
    return [Choice(a, {"strategy": "skills", "needs": [v for _, v in needed], "partial": partial,
                       "levels": [[v, a.skills.get((k, v), 0)] for k, v in needed], "load": _load(a),
                       "recent": round(faded[a.id]), "minutes": round(a.shift_work)}) for a in ordered]


def rank(strategy: str, work: Work, agents: list[Agent], exclude: frozenset[int] = frozenset(),
         now: datetime | None = None) -> list[Choice]:
    """The agents who may take `work` under `strategy` at `now`, best first (empty: nobody may now).
    `now` is only read by the skills strategy, to fade each agent's recent work."""
    candidates = _available(work, agents, exclude)
    if strategy == "round_robin":
        return _round_robin(work, candidates)
    if strategy == "least_loaded":
        return _least_loaded(work, candidates)
    if strategy == "skills":
        online = [a for a in agents if a.status == "online"]
        return _skills(work, candidates, requirements(work, agents), online, now)
    return []


def nobody_reason(strategy: str, work: Work, agents: list[Agent]) -> dict:
    """Why `rank` found nobody, as a code and its values (reasons.nobody_words says it in words)."""
    online = [a for a in agents if a.status == "online"]
    if not online:
        return {"code": "nobody_online"}
    if not any(a.room(work.kind) > 0 for a in online):
        return {"code": "at_capacity", "kind": work.kind}
    needed = requirements(work, agents) if strategy == "skills" else []
    return {"code": "no_skills", "skills": [v for _, v in needed]}
