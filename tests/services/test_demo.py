"""`helpdesk demo`: a first sign-in shows a populated dashboard, reports and SLA figures, and a reply
on a demo channel account is delivered by the simulator instead of failing."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import (
    Call,
    Message,
    ReportFact,
    SlaCalendar,
    SlaCrossing,
    SlaOutcome,
    Survey,
    Ticket,
    TicketTag,
    TicketTopic,
    User,
)
from helpdesk.services import replies
from knowledge_base.models import KbArticle

TABLES = (Ticket, Message, Survey, SlaOutcome, SlaCrossing, ReportFact, KbArticle)


def _counts() -> dict[str, int]:
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in TABLES}


def test_demo_shows_real_figures_simulates_demo_replies_and_loads_once(app, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "--days", "6"])
    assert first.exit_code == 0 and "demo data loaded" in first.output and "admin@example.com" in first.output
    counts = _counts()
    assert counts["Ticket"] >= 30 and counts["Survey"] > 0 and counts["ReportFact"] > 0 and counts["KbArticle"] >= 3
    assert db.session.scalar(select(SlaCalendar.country)) == "ES"
    channels = set(db.session.scalars(select(Ticket.channel).distinct()))
    assert {"email", "web", "webchat", "telegram", "whatsapp"} <= channels
    assert db.session.scalar(select(func.count()).select_from(Ticket).where(Ticket.status == "solved")) > 0
    assert db.session.scalar(select(func.count()).select_from(SlaOutcome).where(SlaOutcome.met.is_(False))) > 0
    assert db.session.scalar(select(func.count()).select_from(Survey).where(Survey.score.is_not(None))) > 0
    failed = db.session.scalar(select(func.count()).select_from(Message).where(Message.delivery_state == "failed"))
    assert failed == 0
    urgent = db.session.scalar(select(Ticket).where(Ticket.subject.like("URGENT: API returning 500 for all%")))
    assert urgent.priority_name == "urgent" and urgent.customer.tier == "vip"

    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "demo data loaded" not in second.output
    assert _counts() == counts

    response = client.post("/login", data={"email": "admin@example.com", "password": "demo-password"})
    assert response.status_code == 302
    assert client.get("/admin/channels/").get_data(as_text=True).count('class="badge demo"') == 4  # three messaging accounts and the PBX
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert re.search(r'id="count-(ok|warning|breached|paused)">[1-9]', dashboard)
    series = client.get("/dashboard/series.json").get_json()
    assert sum(series["breaches"]) > 0
    reports = client.get("/reports").get_data(as_text=True)
    assert "Nothing in this range." not in reports and "Ana Agent" in reports
    charts = client.get("/reports/series.json").get_json()
    assert sum(sum(v) for v in charts["volume"].values()) > 0 and any(charts["sla_pct"]) and any(charts["csat_avg"])
    # The phone line: calls answered, missed (their tickets) and voicemails, in the log and the report.
    assert db.session.scalar(select(func.count()).select_from(Call)) == 40
    assert db.session.scalar(select(func.count()).select_from(Ticket).where(Ticket.subject.like("Missed call from %"))) > 0
    assert 'id="call-' in client.get("/calls").get_data(as_text=True)
    assert re.search(r'id="total-answered">[1-9]', client.get("/reports/calls").get_data(as_text=True))
    # Topics were found in the demo's tickets: the report shows them, every ticket has one.
    topics = client.get("/reports/topics").get_data(as_text=True)
    assert 'id="report-topics"' in topics and "password" in topics
    assert db.session.scalar(select(func.count()).select_from(TicketTopic)) == counts["Ticket"]
    # Tickets carry tags, and some are written in Spanish and Chinese: a tag filter, the topics
    # report and a search for a Chinese word find real tickets.
    shipping = db.session.scalar(select(func.count()).select_from(TicketTag).where(TicketTag.name == "shipping"))
    assert shipping > 0
    tagged = client.get("/tickets?view=all&tag=shipping").get_data(as_text=True)
    assert len(re.findall(r'id="ticket-row-\d+"', tagged)) == min(shipping, 50)
    chinese = db.session.scalar(select(func.count()).select_from(Ticket).where(Ticket.subject.like("%密码%")))
    spanish = db.session.scalar(select(func.count()).select_from(Ticket).where(Ticket.subject.like("%contraseña%")))
    assert chinese > 0 and spanish > 0
    found = client.get("/tickets?view=all&q=密码").get_data(as_text=True)
    rows = re.findall(r'<tr id="ticket-row-(\d+)"', found)
    assert len(rows) == min(chinese, 50) and "密码" in found
    assert any("\u4e00" <= ch <= "\u9fff" for ch in topics.split('id="report-topics"', 1)[1])
    # Privacy: consent recorded from several sources, a pending erasure request, retention policies.
    privacy = client.get("/admin/privacy").get_data(as_text=True)
    assert 'id="retention-webchat"' in privacy and 'id="erasure-request-' in privacy

    telegram = db.session.scalar(select(Ticket).where(Ticket.channel == "telegram", Ticket.status == "new")
                                 .order_by(Ticket.id.desc()).limit(1))
    agent = db.session.scalar(select(User).where(User.email == "ana@example.com"))
    reply = replies.add_reply(telegram, agent, body="Monthly or yearly, as you like!")
    db.session.expire_all()
    stored = db.session.get(Message, reply.id)
    assert stored.delivery_state == "delivered" and stored.provider_id.startswith("simulated:")
    page = client.get(f"/tickets/{telegram.id}").get_data(as_text=True)
    assert "simulated" in page


def test_demo_agents_have_skills_and_capacities_and_groups_route(app):
    from helpdesk.services import demo, staff
    from helpdesk.services.routing import availability, settings, snapshot

    assert demo.load(days=2)
    ana = db.session.scalar(select(User).where(User.email == "ana@example.com"))
    admin = db.session.scalar(select(User).where(User.email == "admin@example.com"))
    assert ("language", "es", 4) in {(s.kind, s.value, s.level) for s in settings.skills_of(ana.id)}
    assert settings.capacities_of(ana.id) == {"chat": 3}
    assert snapshot.settings_of(staff.get_or_create_group("Support").id).strategy == "skills"
    assert not availability.came_online(admin)  # chose offline: the console does not change that
    assert availability.came_online(ana)
