"""The demo's configuration: staff in two groups, routing rules, a business calendar with the
country's holidays, SLA policies per priority and tier, demo channel accounts, surveys switched on."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import ChannelAccount, PriorityRule, SlaRecompute, User
from helpdesk.models.tickets import PRIORITIES
from helpdesk.services import staff
from helpdesk.services.sla import config as sla_config
from helpdesk.services.sla import recompute as sla_recompute
from helpdesk.services.surveys import settings as survey_settings

PASSWORD = "demo-password"
STAFF = [
    ("admin@example.com", "Alex Admin", "admin", ["Support", "Billing"]),
    ("supervisor@example.com", "Sam Supervisor", "supervisor", ["Support", "Billing"]),
    ("ana@example.com", "Ana Agent", "agent", ["Support"]),
    ("ben@example.com", "Ben Billing", "agent", ["Billing"]),
    ("chen@example.com", "Chen Support", "agent", ["Support"]),
]
# Two of them read the console in their own language and time zone (the others follow the browser).
PLACES = {"ana@example.com": ("es", "Europe/Madrid"), "chen@example.com": ("zh", "Asia/Shanghai")}
# The demo company sits in Madrid: its calendar follows Spain's public holidays.
CALENDAR = {"name": "Madrid office", "timezone": "Europe/Madrid", "hours": {"mon-fri": "09:00-18:00"},
            "country": "ES", "subdivision": "MD"}
HOUR = 3600
# (priority, first response, resolution) in business seconds for standard customers; premium and
# VIP customers get half of that (their own policies, tried first).
TARGETS = [("urgent", 1 * HOUR, 8 * HOUR), ("high", 4 * HOUR, 18 * HOUR), ("normal", 8 * HOUR, 36 * HOUR),
           ("low", 18 * HOUR, 72 * HOUR)]
# Channel accounts whose replies the simulator delivers (channels/simulated.py).
ACCOUNTS = [("telegram", "Demo Telegram bot", {"mode": "webhook"}),
            ("whatsapp", "Demo WhatsApp number", {}),
            ("messenger", "Demo Facebook page", {})]


def create_staff() -> dict[str, User]:
    """The demo staff by e-mail address, and the Support/Billing groups they belong to."""
    for email, name, role, groups in STAFF:
        user = staff.create_user(email=email, name=name, role=role, password=PASSWORD, groups=groups)
        user.language, user.time_zone = PLACES.get(email, (None, None))
    db.session.commit()
    return {u.email: u for u in db.session.scalars(select(User))}


def create_rules() -> None:
    """Outages are urgent; invoices and refunds go to Billing."""
    billing = staff.get_or_create_group("Billing")
    db.session.add(PriorityRule(position=1, name="Outages are urgent",
                                conditions={"keywords": ["urgent", "down", "outage"]}, set_priority=PRIORITIES["urgent"]))
    db.session.add(PriorityRule(position=2, name="Invoices go to Billing",
                                conditions={"keywords": ["invoice", "billed", "refund", "charged"]}, set_group_id=billing.id))
    db.session.commit()


def create_automation() -> None:
    """Custom fields (a ticket's reason, a customer's plan), two triggers (they act on what happens
    from the first start) and two automations (run once over the history when it is written)."""
    from helpdesk.services.automation import timed, triggers
    from helpdesk.services.fields import definitions

    definitions.save(None, {"entity": "ticket", "key": "reason", "label": "Reason", "kind": "dropdown",
                            "options": ["Question", "Refund", "Bug", "Outage", "Account"], "position": 1})
    definitions.save(None, {"entity": "customer", "key": "plan", "label": "Plan", "kind": "dropdown",
                            "options": ["Free", "Team", "Enterprise"], "position": 1})
    triggers.save(None, {"name": "Refund requests: tag and reason", "event": "customer.replied", "position": 1,
                         "match_all": [{"field": "text", "op": "contains", "value": ["refund", "reembolso", "退款"]}],
                         "actions": [{"type": "add_tags", "tags": ["refund"]},
                                     {"type": "set_field", "key": "reason", "value": "Refund"}]})
    triggers.save(None, {"name": "Outages: tell the group", "event": "ticket.created", "position": 3,
                         "match_all": [{"field": "text", "op": "contains", "value": ["outage", "down"]}],
                         "actions": [{"type": "set_field", "key": "reason", "value": "Outage"},
                                     {"type": "notify", "text": "Possible outage reported on #{{ticket.number}}"}]})
    timed.save(None, {"name": "Pending 3 days: remind the customer", "position": 1,
                      "match_all": [{"field": "hours_since_pending", "op": "gte", "value": 72}],
                      "actions": [{"type": "reply", "body": "Hi {{customer.first_name}}, do you still need help with "
                                                            "#{{ticket.number}}? Just reply to this message."}]})
    timed.save(None, {"name": "Solved 4 days: close", "position": 2, "match_all": [
        {"field": "status", "op": "is", "value": "solved"}, {"field": "hours_since_solved", "op": "gt", "value": 96}],
        "actions": [{"type": "set", "field": "status", "value": "closed"}]})


def _targets(first: int, resolution: int) -> list[dict]:
    return [{"kind": "first_response", "goal_seconds": first}, {"kind": "next_response", "goal_seconds": first * 2},
            {"kind": "resolution", "goal_seconds": resolution, "pause_statuses": ["pending", "on_hold"]}]


def create_sla() -> None:
    """The office calendar and one policy per priority, with faster ones for premium and VIP tiers."""
    calendar = sla_config.save_calendar(None, **CALENDAR)
    position = 1
    for tiers, factor, label in ((["premium", "vip"], 2, "Premium"), (["standard"], 1, "Standard")):
        for priority, first, resolution in TARGETS:
            sla_config.save_policy(None, name=f"{label} {priority}", position=position, calendar_id=calendar.id,
                                   targets=_targets(first // factor, resolution // factor),
                                   conditions={"priorities": [priority], "tiers": tiers})
            position += 1
    db.session.commit()
    # Each save queued a recomputation of the open tickets; there are none yet, so they finish now
    # (instead of waiting for jobs at the first start).
    for recompute_id in list(db.session.scalars(select(SlaRecompute.id).where(SlaRecompute.state == "queued")
                                                .order_by(SlaRecompute.id))):
        sla_recompute.run(recompute_id)


def create_accounts() -> dict[str, ChannelAccount]:
    """Telegram, WhatsApp and Messenger accounts marked demo: replies on them are simulated."""
    support = staff.get_or_create_group("Support")
    accounts = {}
    for kind, name, options in ACCOUNTS:
        account = ChannelAccount(kind=kind, name=name, group_id=support.id, settings={"demo": True} | options)
        db.session.add(account)
        accounts[kind] = account
    db.session.commit()
    return accounts


def enable_surveys() -> None:
    """CSAT surveys on every channel one hour after a solve; low scores notify the supervisors."""
    survey_settings.update_settings("csat", {"enabled": True, "delay_minutes": 60, "channels": list(survey_settings.SURVEY_CHANNELS),
                                             "min_days_between": 0, "expiry_days": 14, "follow_up_action": "notify",
                                             "follow_up_max_score": 2})
