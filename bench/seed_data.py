"""Row generators for the seeded database: pure Python, deterministic for a given seed, no database.

Tickets are spread over a year in creation order; their status follows their age (recent ones are
mostly new/open/pending, old ones closed), so a few thousand are open at any time, as in a real desk.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from bench import seed_text as text

DAY = 86400.0
GROUPS = {"Support": 0.5, "Billing": 0.2, "Technical": 0.2, "Sales": 0.1}
PRIORITY_WEIGHTS = (0.15, 0.65, 0.15, 0.05)  # low, normal, high, urgent
OPEN = ("new", "open", "pending", "on_hold")
# (maximum age in days, status weights new, open, pending, on_hold, solved, closed)
STATUS_BY_AGE = (
    (1, (45, 30, 12, 3, 10, 0)),
    (3, (8, 35, 20, 5, 30, 2)),
    (14, (1, 8, 10, 4, 37, 40)),
    (60, (0, 1, 1, 1, 3, 94)),
    (10**6, (0, 0.1, 0.1, 0.2, 0, 99.6)),
)
STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
SOURCES = {"email": "support@bench.example", "web": "web", "telegram": "telegram:benchbot",
           "whatsapp": "whatsapp:+34910000000"}

ORG_COLS = ("id", "name", "domain", "created_at")
CUSTOMER_COLS = ("id", "name", "language", "timezone", "tier", "notes", "organization_id", "merged_into_id",
                 "created_at", "updated_at")
IDENTITY_COLS = ("id", "customer_id", "kind", "address", "created_at")
TICKET_COLS = ("id", "subject", "status", "priority", "channel", "source", "thread_key", "customer_id", "group_id",
               "assignee_id", "merged_into_id", "created_at", "updated_at", "first_response_at",
               "last_customer_message_at", "last_agent_message_at", "solved_at", "closed_at",
               "first_response_due_at", "resolution_due_at")
MESSAGE_COLS = ("id", "ticket_id", "kind", "channel", "source", "external_id", "author_id", "identity_id", "body_text",
                "body_html", "is_automated", "created_at", "delivery_state", "delivery_error", "delivery_attempts",
                "next_attempt_at", "provider_id")
EVENT_COLS = ("id", "ticket_id", "actor_id", "kind", "data", "created_at")
TAG_COLS = ("ticket_id", "name")
COLUMNS = {"organizations": ORG_COLS, "customers": CUSTOMER_COLS, "identities": IDENTITY_COLS,
           "tickets": TICKET_COLS, "messages": MESSAGE_COLS, "ticket_events": EVENT_COLS, "ticket_tags": TAG_COLS}


@dataclass
class Staff:
    """Who works where, as created by the seeder: group name -> agent (id, name) pairs."""

    group_ids: dict[str, int]
    agents: dict[str, list[tuple[int, str]]]


@dataclass
class Plan:
    """The shape of one ticket, decided before its messages are written."""

    created: float
    status: str
    group: str
    customer: int
    identity: int


class World:
    """Everything generated from one seed; `now` anchors the year of history."""

    def __init__(self, seed: int, now: datetime, customers: int) -> None:
        self.rng = random.Random(seed)
        self.now = now
        self.start = now - timedelta(days=365)
        self.n_customers = customers
        self.customer_names: list[str] = []
        self.identities: list[list[tuple[int, str, str]]] = []  # per customer: (id, kind, address)

    def at(self, seconds: float) -> datetime:
        """The moment `seconds` after the start of the year of history."""
        return self.start + timedelta(seconds=seconds)

    def organizations(self, count: int = 300) -> list[tuple]:
        """Companies some customers belong to, each with its own mail domain."""
        rows = []
        for i in range(1, count + 1):
            name = f"{text.COMPANY[i % len(text.COMPANY)]} {text.COMPANY_KIND[i % len(text.COMPANY_KIND)]} {i}"
            rows.append((i, name, f"org{i}.example", self.at(0)))
        return rows

    def customers(self, organizations: int) -> tuple[list[tuple], list[tuple]]:
        """Customer rows and their identity rows (e-mail, Telegram, WhatsApp; a fifth have two)."""
        rng, customers, identities = self.rng, [], []
        next_identity = 1
        for cid in range(1, self.n_customers + 1):
            name = f"{rng.choice(text.FIRST)} {rng.choice(text.LAST)}"
            org = rng.randint(1, organizations) if rng.random() < 0.4 else None
            tier = rng.choices(("standard", "premium", "vip"), (88, 10, 2))[0]
            created = self.at(rng.uniform(0, 300 * DAY))
            customers.append((cid, name, rng.choice(text.LANGUAGES), rng.choice(text.TIMEZONES), tier, None, org,
                              None, created, created))
            kinds = [rng.choices(("email", "telegram", "whatsapp"), (70, 15, 15))[0]]
            if rng.random() < 0.2:
                kinds.append("email" if kinds[0] != "email" else rng.choice(("telegram", "whatsapp")))
            mine = []
            for kind in kinds:
                address = self._address(kind, cid, name, org)
                identities.append((next_identity, cid, kind, address, created))
                mine.append((next_identity, kind, address))
                next_identity += 1
            self.customer_names.append(name)
            self.identities.append(mine)
        return customers, identities

    @staticmethod
    def _address(kind: str, cid: int, name: str, org: int | None) -> str:
        if kind == "email":
            local = name.lower().replace(" ", ".").encode("ascii", "ignore").decode()
            return f"{local}.{cid}@{f'org{org}.example' if org else 'mail.example'}"
        if kind == "telegram":
            return str(700_000_000 + cid * 7)
        return f"+3460{cid:07d}"

    def plans(self, count: int) -> list[Plan]:
        """The tickets, oldest first: creation time, status by age, group, customer and identity."""
        rng = self.rng
        span = (self.now - self.start).total_seconds()
        # Slightly more tickets lately than a year ago, as a growing business sees.
        created = sorted(span * rng.random() ** 0.9 for _ in range(count))
        groups, weights = list(GROUPS), list(GROUPS.values())
        plans = []
        for when in created:
            age_days = (span - when) / DAY
            status_weights = next(w for limit, w in STATUS_BY_AGE if age_days < limit)
            customer = min(self.n_customers - 1, int(self.n_customers * rng.random() ** 1.6))
            identity = rng.randrange(len(self.identities[customer]))
            plans.append(Plan(when, rng.choices(STATUSES, status_weights)[0], rng.choices(groups, weights)[0],
                              customer, identity))
        return plans

    def message_counts(self, plans: list[Plan], total: int) -> list[int]:
        """How many messages each ticket has: at least 1 (2 once an agent answered), `total` in all."""
        floor = [1 if p.status == "new" else 2 for p in plans]
        if sum(floor) > total:
            floor = [1] * len(plans)
        counts = list(floor)
        extra = total - sum(counts)
        if extra > 0:
            weights = [self.rng.expovariate(1.0) ** 1.5 for _ in plans]
            for index in self.rng.choices(range(len(plans)), weights=weights, k=extra):
                counts[index] += 1
        return counts


class TicketWriter:
    """Turns plans into ticket, message, event and tag rows, with ids assigned here."""

    def __init__(self, world: World, staff: Staff) -> None:
        self.w, self.staff, self.rng = world, staff, world.rng
        self.next_message = 1
        self.next_event = 1
        self.span = (world.now - world.start).total_seconds()

    def batches(self, plans: list[Plan], counts: list[int], size: int) -> Iterator[dict[str, list[tuple]]]:
        """Rows by table, about `size` messages at a time, in foreign-key order."""
        batch = {"tickets": [], "messages": [], "ticket_events": [], "ticket_tags": []}
        for number, (plan, count) in enumerate(zip(plans, counts, strict=True), start=1):
            self._ticket(number, plan, count, batch)
            if len(batch["messages"]) >= size:
                yield batch
                batch = {name: [] for name in batch}
        if batch["tickets"]:
            yield batch

    def _times(self, plan: Plan) -> dict[str, float | None]:
        rng, now = self.rng, self.span
        t = {"solved": None, "closed": None, "first_response": None}
        if plan.status in ("solved", "closed"):
            t["solved"] = min(now - 60, plan.created + rng.expovariate(1 / (1.5 * DAY)) + 300)
            if plan.status == "closed":
                t["closed"] = min(now - 30, t["solved"] + 4 * DAY)
            t["updated"] = t["closed"] or t["solved"]
        else:
            t["updated"] = plan.created + (now - plan.created) * rng.random() ** 0.3
        if plan.status != "new":
            t["first_response"] = min(t["updated"], plan.created + rng.expovariate(1 / 7200) + 60)
        return t

    def _ticket(self, number: int, plan: Plan, count: int, batch: dict) -> None:
        rng, w = self.rng, self.w
        identity_id, kind, _address = w.identities[plan.customer][plan.identity]
        channel = kind if kind != "email" else ("email" if rng.random() < 0.75 else "web")
        source = SOURCES[channel]
        t = self._times(plan)
        agents = self.staff.agents[plan.group]
        assigned = rng.random() < (0.3 if plan.status == "new" else 0.92)
        assignee = rng.choice(agents) if assigned else None
        priority = rng.choices(range(4), PRIORITY_WEIGHTS)[0]
        subject = text.subject(rng)
        last_in, last_out = self._messages(number, plan, count, t, channel, source, identity_id, assignee, subject,
                                           batch["messages"])
        frd = plan.created + (3600 if priority == 3 else 4 * 3600)
        batch["tickets"].append((
            number, subject, plan.status, priority, channel, source,
            _address if channel in ("telegram", "whatsapp") else None, plan.customer + 1,
            self.staff.group_ids[plan.group], assignee[0] if assignee else None, None,
            w.at(plan.created), w.at(t["updated"]), _opt(w, t["first_response"]), _opt(w, last_in),
            _opt(w, last_out), _opt(w, t["solved"]), _opt(w, t["closed"]), w.at(frd), w.at(plan.created + 3 * DAY),
        ))
        self._events(number, plan, channel, t, assignee, batch["ticket_events"])
        if rng.random() < 0.35:
            for tag in dict.fromkeys(rng.choices(text.TAGS, k=rng.randint(1, 3))):
                batch["ticket_tags"].append((number, tag))

    def _messages(self, ticket: int, plan: Plan, count: int, t: dict, channel: str, source: str, identity_id: int,
                  assignee: tuple[int, str] | None, subject: str, rows: list) -> tuple[float | None, float | None]:
        rng, w = self.rng, self.w
        end = t["solved"] or t["updated"]
        moments = [plan.created] + sorted(rng.uniform(plan.created, end) for _ in range(count - 1))
        chat = channel in ("telegram", "whatsapp")
        name = w.customer_names[plan.customer]
        agents = self.staff.agents[plan.group]
        kind, previous, last_in, last_out = "inbound", "", None, None
        for position, moment in enumerate(moments):
            if position:
                kind = _next_kind(rng, kind, plan.status)
            mid = self.next_message
            self.next_message += 1
            created = w.at(moment)
            if kind == "inbound":
                paragraphs = text.customer_body(rng, chat=chat, name=name, first_line=subject if position == 0 else None)
                body = "\n\n".join(paragraphs)
                if not chat and previous and rng.random() < 0.5:
                    body += "\n\n" + text.quote(previous)
                html = _html(paragraphs) if channel == "email" and rng.random() < 0.5 else None
                rows.append((mid, ticket, "inbound", channel, source, _external_id(rng, channel, ticket, mid), None,
                             identity_id, body, html, False, created, None, None, 0, None, None))
                last_in = moment
            else:
                author = assignee or rng.choice(agents)
                if kind == "note":
                    rows.append((mid, ticket, "note", channel, source, None, author[0], None, text.note_body(rng),
                                 None, False, created, None, None, 0, None, None))
                    continue
                paragraphs = text.agent_body(rng, name=name, agent=author[1])
                body = "\n\n".join(paragraphs)
                rows.append((mid, ticket, "outbound", channel, source, None, author[0], None, body,
                             _html(paragraphs) if channel == "email" else None, False, created, "sent", None, 1,
                             created, f"prov-{mid}"))
                last_out = moment
            previous = body
        return last_in, last_out

    def _events(self, ticket: int, plan: Plan, channel: str, t: dict, assignee, rows: list) -> None:
        w = self.w

        def add(actor, data, moment):
            rows.append((self.next_event, ticket, actor, "created" if data is None else "changed",
                         json.dumps(data if data is not None else {"channel": channel, "rules": []}), w.at(moment)))
            self.next_event += 1

        add(None, None, plan.created)
        actor = assignee[0] if assignee else None
        if assignee:
            add(actor, {"assignee_id": [None, actor]}, plan.created + 120)
        if plan.status != "new" and t["first_response"]:
            add(actor, {"status": ["new", "open"]}, t["first_response"])
        if plan.status in ("pending", "on_hold"):
            add(actor, {"status": ["open", plan.status]}, t["updated"])
        if t["solved"]:
            add(actor, {"status": ["open", "solved"]}, t["solved"])
        if t["closed"]:
            add(None, {"status": ["solved", "closed"]}, t["closed"])


def _next_kind(rng: random.Random, previous: str, status: str) -> str:
    if status == "new":
        return "inbound"  # nobody has answered yet
    weights = {"inbound": (10, 85, 5), "outbound": (80, 10, 10), "note": (30, 70, 0)}[previous]
    return rng.choices(("inbound", "outbound", "note"), weights)[0]


def _external_id(rng: random.Random, channel: str, ticket: int, mid: int) -> str:
    if channel == "email":
        return f"<{ticket}.{mid}.{rng.getrandbits(32):08x}@mail.example>"
    if channel == "web":
        return f"form-{rng.getrandbits(64):016x}"
    return f"{ticket}:{mid}"


def _html(paragraphs: list[str]) -> str:
    return "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs)


def _opt(world: World, seconds: float | None) -> datetime | None:
    return None if seconds is None else world.at(seconds)
