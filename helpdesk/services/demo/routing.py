"""The demo's routing: Support assigns by skills, Billing by load; agents with languages, topics and
capacities of their own. The admin and the supervisor chose to be offline (they take no routed work
until they switch themselves online); agents come online when they open the console."""

from __future__ import annotations

from helpdesk.models import User
from helpdesk.services import staff
from helpdesk.services.routing import availability, settings

GROUPS = {"Support": "skills", "Billing": "least_loaded"}
SKILLS = {
    "ana@example.com": ({"chat": 3}, [("language", "en", 5), ("language", "es", 4), ("tag", "login", 4)]),
    "chen@example.com": ({"chat": 2, "ticket": 15}, [("language", "en", 4), ("language", "zh", 5), ("tag", "shipping", 3)]),
    "ben@example.com": ({}, [("language", "en", 5), ("language", "es", 3), ("tag", "billing", 5)]),
    "admin@example.com": ({}, [("language", "en", 3)]),
    "supervisor@example.com": ({}, [("language", "en", 4), ("language", "es", 2)]),
}


def create(users: dict[str, User]) -> None:
    """Group strategies, each demo agent's skills and capacities, and who starts offline by choice."""
    for name, strategy in GROUPS.items():
        settings.save_group(staff.get_or_create_group(name).id, strategy=strategy, chat_capacity=3,
                            messaging_capacity=2, ticket_capacity=20, offer_timeout=30)
    for email, (capacities, skills) in SKILLS.items():
        settings.save_agent(users[email].id, capacities, skills)
    for email in ("admin@example.com", "supervisor@example.com"):
        availability.set_status(users[email], "offline", "agent")
