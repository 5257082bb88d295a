"""Thirty days of support history written through the real services with a back-dated clock
(`clock_at`): customers write in on every channel (ingest), agents take and answer the tickets
(tickets.update_ticket, replies.add_reply, delivered by the simulator), solve them, customers
reopen some, surveys go out and are answered. Every step runs at its own moment, in time order,
so SLA clocks, breaches, report facts and surveys come out as they would have in a real month."""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app

from channels.base import InboundMessage, Sender
from helpdesk.extensions import db
from helpdesk.models import ChannelAccount, Customer, Survey, Ticket, User
from helpdesk.models.base import clock_at, utcnow
from helpdesk.models.customers import TIERS
from helpdesk.services import customers, events, replies, tickets
from helpdesk.services.channel_accounts import DEMO_SOURCE
from helpdesk.services.ingest import ingest
from helpdesk.services.sla import scan as sla_scan
from helpdesk.services.surveys import answers as survey_answers
from helpdesk.services.surveys import sending as survey_sending

DAYS = 30
TICKETS_PER_DAY = (5, 11)  # a quiet and a busy day
# channel: (identity kind, weight)
CHANNELS = {"email": ("email", 30), "web": ("email", 12), "webchat": ("webchat", 16), "telegram": ("telegram", 12),
            "whatsapp": ("whatsapp", 14), "messenger": ("messenger", 8), "phone": ("phone", 8)}
# The newest conversations, written in the last hours: the ones a first look at the queue shows.
SHOWCASE = [
    ("email", "email", "maria@globex.example", "María López", "Cannot log in after password reset",
     "Hi, since resetting my password this morning the login page just reloads. Can you help?"),
    ("telegram", "telegram", "421337", "Kenji", None, "Hello! Is the Pro plan billed monthly or yearly?"),
    ("whatsapp", "whatsapp", "+34 600 123 456", "Lucía", None, "My order #5521 hasn't arrived yet, it's been 10 days"),
    ("webchat", "webchat", "visitor-8f2a", "Website visitor", None, "Do you integrate with Shopify?"),
    ("email", "email", "ops@initech.example", "Initech Ops", "URGENT: API returning 500 for all requests",
     "Our production integration is down, every call returns HTTP 500 since 09:12 UTC."),
    ("web", "email", "li.wei@example.org", "Li Wei", "Invoice VAT number missing",
     "Could you re-issue invoice INV-2291 with our VAT number DE123456789?"),
]
FIRST_NAMES = ["María López", "Kenji Sato", "Lucía Fernández", "Li Wei", "Olivia Smith", "Ahmed Khan", "Sofia Rossi",
               "Jonas Berg", "Chloé Martin", "Diego Ramírez", "Priya Nair", "Tom Walker", "Zhang Min", "Ana Souza",
               "Lars Nielsen", "Fatima Zahra", "Mateo García", "Emma Johnson", "Wang Fang", "Noah Müller"]
# (subject, first message, group, tags): the kinds of request, each tagged by the agent who first answers.
TOPICS = [
    ("Cannot log in after password reset", "Since resetting my password the login page just reloads. Can you help?", "Support",
     ["login", "password"]),
    ("Order #{n} hasn't arrived", "My order #{n} hasn't arrived yet, it's been 10 days.", "Support", ["shipping"]),
    ("Invoice VAT number missing", "Could you re-issue invoice INV-{n} with our VAT number?", "Billing", ["invoice", "vat"]),
    ("Charged twice this month", "I was charged twice for my subscription, please refund one.", "Billing", ["refund"]),
    ("URGENT: API returning 500", "Our integration is down, every call returns HTTP 500.", "Support", ["api", "outage"]),
    ("How do I export my data?", "Is there a way to export all my projects as CSV?", "Support", ["export"]),
    ("Do you integrate with Shopify?", "We sell on Shopify, does your app connect to it?", "Support", ["integration"]),
    ("Change of billing address", "We moved offices, please update the address on our invoices.", "Billing", ["invoice"]),
    ("App crashes on startup", "The mobile app closes right after the splash screen on Android 14.", "Support",
     ["bug", "android"]),
    ("Upgrade to the Pro plan", "Is the Pro plan billed monthly or yearly? I'd like to upgrade.", "Billing", ["upgrade"]),
    ("Two-factor code not arriving", "I don't receive the SMS code to sign in.", "Support", ["login", "2fa"]),
    ("Cancel my subscription", "Please cancel my subscription at the end of this period.", "Billing", ["cancellation"]),
]
# Every LOCAL_EVERY-th ticket comes from a Spanish- or Chinese-speaking customer (in turn), asking one
# of these requests (TOPICS' position, subject, message) in turn, so that each is asked more than once
# (a word of one ticket alone is no topic's) and tag filters, the topics report and search for Chinese
# words find real tickets on first sign-in.
LOCAL_EVERY = 3
LOCAL_TOPICS = {
    "es": [
        (0, "No puedo entrar después de cambiar la contraseña",
         "Desde que cambié la contraseña la página de acceso solo se recarga. ¿Me ayudan?"),
        (1, "El pedido #{n} no ha llegado", "Mi pedido #{n} todavía no ha llegado, ya van 10 días."),
    ],
    "zh": [
        (0, "重置密码后无法登录", "重置密码以后，登录页面一直刷新，进不去。能帮我看看吗？"),
        (1, "订单 #{n} 还没有到", "我的订单 #{n} 已经十天了还没有收到。"),
    ],
}
# Customers who write in their own language (the others write in English).
LANGUAGE_OF = {"María López": "es", "Lucía Fernández": "es", "Diego Ramírez": "es", "Mateo García": "es",
               "Li Wei": "zh", "Zhang Min": "zh", "Wang Fang": "zh"}
ANSWERS = {
    "en": ["Thanks for writing in! I'm looking into this now.", "Thanks, I've checked your account and fixed it. Could you try again?",
           "Sorry for the trouble. I've passed this to our team and will update you shortly.",
           "Done: you should see the change within a few minutes."],
    "es": ["¡Gracias por escribirnos! Lo estoy revisando ahora.", "Gracias, he revisado su cuenta y lo he corregido. ¿Puede probar de nuevo?",
           "Disculpe las molestias. Lo he pasado a nuestro equipo y le informaré en breve.",
           "Hecho: verá el cambio en unos minutos."],
    "zh": ["感谢您的来信！我正在处理。", "谢谢，我检查了您的账户并已修复。请再试一次好吗？",
           "抱歉给您带来不便。我已转交给我们的团队，稍后会通知您。", "已完成：几分钟内您就能看到变化。"],
}
FOLLOW_UPS = {
    "en": ["Thanks, that worked!", "Still not working for me, sorry.", "Great, thank you very much.",
           "One more question: does this apply to all my accounts?"],
    "es": ["¡Gracias, ya funciona!", "Lo siento, sigue sin funcionar.", "Perfecto, muchas gracias.",
           "Una pregunta más: ¿esto se aplica a todas mis cuentas?"],
    "zh": ["谢谢，已经好了！", "抱歉，还是不行。", "太好了，非常感谢。", "还有一个问题：这对我所有的账户都适用吗？"],
}
AGAIN = {"en": "It's happening again, can you look once more?", "es": "Vuelve a pasar, ¿pueden mirarlo otra vez?",
         "zh": "问题又出现了，能再看一下吗？"}


@dataclass(order=True)
class _Step:
    at: datetime
    order: int
    run: Callable[[], None] = field(compare=False)


@dataclass
class _Case:
    """One ticket's story: who writes, through what, and its id once it exists."""

    number: int
    channel: str
    source: str
    sender: Sender
    subject: str
    body: str
    group: str
    tags: list[str] = field(default_factory=list)
    language: str = "en"
    ticket_id: int | None = None


class _History:
    def __init__(self, now: datetime, agents: dict[str, list[User]], accounts: dict[str, ChannelAccount], days: int,
                 seed: int) -> None:
        self.now, self.agents, self.accounts, self.days = now, agents, accounts, days
        self.rng = random.Random(seed)
        self.steps: list[_Step] = []
        self.order = 0
        self.round: list[int] = []
        self.people = self._customers()

    def _customers(self) -> list[tuple[str, Sender]]:
        """A pool of customers, each reachable on one channel; some premium or VIP."""
        people = []
        for i, name in enumerate(FIRST_NAMES * 2):
            channel = self.rng.choices(list(CHANNELS), weights=[w for _k, w in CHANNELS.values()])[0]
            kind = CHANNELS[channel][0]
            slug = name.split()[0].lower().replace("í", "i").replace("é", "e").replace("ü", "u")
            address = {"email": f"{slug}.{i}@example.com", "webchat": f"visitor-demo-{i}", "telegram": str(700000 + i),
                       "whatsapp": f"+34 600 100 {i:03d}", "messenger": str(900000 + i), "phone": f"+34 910 200 {i:03d}"}[kind]
            people.append((channel, Sender(kind=kind, address=address, name=name)))
        return people

    def at(self, moment: datetime, run: Callable[[], None]) -> None:
        if moment < self.now:  # what would happen after now is left undone: the ticket is still open
            self.order += 1
            heapq.heappush(self.steps, _Step(moment, self.order, run))

    def _source(self, channel: str) -> str:
        account = self.accounts.get(channel)
        return account.source if account is not None else DEMO_SOURCE

    def plan(self) -> None:
        """Every ticket of the month and the steps of its story."""
        number = 0
        for day in range(self.days):
            for _ in range(self.rng.randint(*TICKETS_PER_DAY)):
                opened = self.now - timedelta(days=day, hours=self.rng.uniform(0, 24))
                if day >= 2 and opened.weekday() >= 5 and self.rng.random() < 0.7:
                    continue  # quieter weekends (the last two days are busy whatever the day: open work to show)
                number += 1
                language, index, subject, body = self._request(number)
                channel, sender = self.rng.choice([(c, s) for c, s in self.people
                                                   if LANGUAGE_OF.get(s.name, "en") == language])
                group, tags = TOPICS[index][2:]
                case = _Case(number, channel, self._source(channel), sender, subject.format(n=5000 + number),
                             body.format(n=5000 + number), group, tags, language)
                self._story(case, opened)

    def _request(self, number: int) -> tuple[str, int, str, str]:
        """The language of ticket `number` and what it asks: (language, TOPICS' position, subject, message)."""
        if number % LOCAL_EVERY:  # the kinds in a shuffled round, so that each is asked again soon
            if not self.round:
                self.round = list(range(len(TOPICS)))
                self.rng.shuffle(self.round)
            index = self.round.pop()
            return "en", index, *TOPICS[index][:2]
        turn = number // LOCAL_EVERY
        language = sorted(LOCAL_TOPICS)[turn % len(LOCAL_TOPICS)]
        requests = LOCAL_TOPICS[language]
        return language, *requests[turn // len(LOCAL_TOPICS) % len(requests)]

    def showcase(self) -> None:
        """The latest conversations, one on each main channel, still waiting for an answer."""
        for n, (channel, kind, address, name, subject, body) in enumerate(SHOWCASE):
            case = _Case(100_000 + n, channel, self._source(channel), Sender(kind=kind, address=address, name=name),
                         subject or "", body, "Support")
            moment = self.now - timedelta(minutes=20 * (len(SHOWCASE) - n))
            self.at(moment, lambda case=case, moment=moment: self._write(case, case.body, moment))

    def scans(self, every: timedelta = timedelta(hours=2)) -> None:
        """The SLA scheduler's passes over the month, so warnings and breaches are recorded when they happened."""
        moment = self.now - timedelta(days=self.days)
        while moment < self.now:
            self.at(moment, lambda: sla_scan.scan())
            moment += every

    def _story(self, case: _Case, opened: datetime) -> None:
        rng = self.rng
        self.at(opened, lambda: self._write(case, case.body, opened))
        recent = opened > self.now - timedelta(hours=48)
        if recent and rng.random() < 0.2:
            return  # nobody has answered yet: due soon, or already breached
        # Most answers come within business hours; one in six is late enough to breach.
        first = opened + timedelta(minutes=rng.choice([rng.uniform(5, 90), rng.uniform(60, 300), rng.uniform(600, 2000)]
                                                     if rng.random() < 0.17 else [rng.uniform(5, 150)]))
        agent = rng.choice(self.agents[case.group])
        answers, follow_ups = ANSWERS[case.language], FOLLOW_UPS[case.language]
        self.at(first, lambda: self._answer(case, agent, rng.choice(answers), assign=True))
        solved = first + timedelta(hours=rng.uniform(0.5, 30))
        if rng.random() < 0.35:  # the customer answers before the solve
            back = first + (solved - first) / 2
            self.at(back, lambda: self._write(case, rng.choice(follow_ups), back))
            self.at(back + timedelta(minutes=rng.uniform(10, 240)), lambda: self._answer(case, agent, rng.choice(answers)))
            solved += timedelta(hours=4)
        if recent and rng.random() < 0.6:  # still being worked on; some wait for the customer
            if rng.random() < 0.3:
                self.at(first + timedelta(minutes=2), lambda: self._set_status(case, agent, "pending"))
            return
        self.at(solved, lambda: self._set_status(case, agent, "solved"))
        if rng.random() < 0.5:
            answered = solved + timedelta(hours=rng.uniform(1.5, 30))
            self.at(answered, lambda: self._rate(case))
        if rng.random() < 0.1:  # reopened: the fix did not hold
            again = solved + timedelta(hours=rng.uniform(3, 48))
            self.at(again, lambda: self._write(case, AGAIN[case.language], again))
            self.at(again + timedelta(hours=rng.uniform(0.2, 6)), lambda: self._answer(case, agent, answers[1]))
            self.at(again + timedelta(hours=rng.uniform(7, 20)), lambda: self._set_status(case, agent, "solved"))

    def run(self) -> None:
        """Play every planned step at its moment, oldest first."""
        while self.steps:
            step = heapq.heappop(self.steps)
            with clock_at(step.at):
                step.run()

    # The steps: each goes through the service an agent's or a customer's action uses.
    def _write(self, case: _Case, body: str, moment: datetime) -> None:
        self.order += 1
        result = ingest(InboundMessage(channel=case.channel, source=case.source, external_id=f"demo-{case.number}-{self.order}",
                                       sender=case.sender, subject=case.subject or None, body_text=body, received_at=moment,
                                       thread_key=f"demo-{case.number}"))
        if result is not None and case.ticket_id is None:
            case.ticket_id = result.ticket_id
            group = db.session.get(Ticket, case.ticket_id).group
            if group is not None and group.name != case.group:
                case.group = group.name

    def _ticket(self, case: _Case) -> Ticket | None:
        return db.session.get(Ticket, case.ticket_id) if case.ticket_id is not None else None

    def _answer(self, case: _Case, agent: User, body: str, *, assign: bool = False) -> None:
        ticket = self._ticket(case)
        if ticket is None:
            return
        if assign and ticket.assignee_id is None:
            agent = self.rng.choice(self.agents.get(ticket.group.name if ticket.group else case.group, [agent]))
            tickets.update_ticket(ticket, agent, assignee_id=agent.id)
        if assign and case.tags:  # the first answer files the ticket under its tags (a trigger's stay)
            tickets.update_ticket(ticket, ticket.assignee or agent, tags=[*ticket.tags, *case.tags])
        message = replies.add_reply(ticket, agent, body=body)
        replies.deliver(message.id)

    def _set_status(self, case: _Case, agent: User, status: str) -> None:
        ticket = self._ticket(case)
        if ticket is None or ticket.status in ("solved", "closed") or ticket.status == status:
            return
        actor = ticket.assignee or agent
        tickets.update_ticket(ticket, actor, status=status)
        if status == "solved":
            # What the muted `ticket.updated` subscriber does; each survey then goes out when it is due.
            for survey in survey_sending.schedule_for_solve(ticket.id, actor.id):
                self.at(survey.scheduled_for, lambda survey_id=survey.id: self._send_survey(survey_id))

    def _send_survey(self, survey_id: int) -> None:
        if survey_sending.send(survey_id, current_app.config["HELPDESK_PUBLIC_URL"]) == "sent":
            replies.deliver(db.session.get(Survey, survey_id).message_id)

    def _rate(self, case: _Case) -> None:
        survey = db.session.scalar(db.select(Survey).where(Survey.ticket_id == case.ticket_id, Survey.state == "sent")
                                   .order_by(Survey.id.desc()).limit(1))
        if survey is not None:
            score = self.rng.choices([5, 4, 3, 2, 1], weights=[50, 25, 10, 8, 7])[0]
            survey_answers.record(survey, score, "Quick and friendly, thanks!" if score >= 4 else "")


def _agents_by_group(users: dict[str, User]) -> dict[str, list[User]]:
    return {name: [u for u in users.values() if u.role == "agent" and name in {g.name for g in u.groups}]
            for name in ("Support", "Billing")}


def set_tiers(seed: int) -> None:
    """Some customers are premium or VIP (faster SLA targets); Initech, whose API is down, is VIP."""
    rng = random.Random(seed)
    for customer in db.session.scalars(db.select(Customer).order_by(Customer.id)):
        customer.tier = "vip" if customer.name == "Initech Ops" else rng.choices(TIERS, weights=[70, 20, 10])[0]
    db.session.commit()


def create(users: dict[str, User], accounts: dict[str, ChannelAccount], *, days: int = DAYS, seed: int = 16) -> int:
    """Write `days` of history ending now; returns the number of tickets it opened."""
    history = _History(utcnow().replace(microsecond=0), _agents_by_group(users), accounts, days, seed)
    showcase = [Sender(kind=kind, address=address, name=name) for _c, kind, address, name, _s, _b in SHOWCASE]
    for sender in [sender for _channel, sender in history.people] + showcase:
        customer, _identity = customers.resolve(sender)
        customer.language = customer.language or LANGUAGE_OF.get(sender.name)
    db.session.commit()
    set_tiers(seed)
    history.plan()
    history.showcase()
    history.scans()
    with events.muted():
        history.run()
    return db.session.scalar(db.select(db.func.count()).select_from(Ticket)) or 0
