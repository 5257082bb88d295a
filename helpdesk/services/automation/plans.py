"""What evaluating one event's triggers needs, prepared once per settings revision and process:
the event's compiled triggers in order and the readers of the ticket context their conditions
ask. An event then costs one statement (the context and the settings token together) and the
conditions: the token it returns says whether the prepared triggers are still the current ones,
so no other read is needed while nobody changes the settings (services.settings_cache)."""

from __future__ import annotations

from dataclasses import dataclass

from helpdesk.services import settings_cache
from helpdesk.services.automation import facts, triggers

_NAME = "trigger_plans"


@dataclass(frozen=True)
class Plan:
    """One event's triggers under the settings token `token`."""

    token: str | None
    triggers: tuple[triggers.Compiled, ...]
    latest: facts.Reader | None  # the words are the customer's latest message
    by_message: facts.Reader | None  # the words are the event's message

    def read(self, ticket_id: int, message_id: int | None) -> tuple[dict | None, str | None]:
        """(the ticket's context or None, the settings token the read saw)."""
        reader = self.by_message if message_id is not None else self.latest
        return reader.read(ticket_id, message_id)


def _build(event: str) -> Plan:
    found = triggers.compiled(event)
    needs = triggers.needs(found)
    readers = (facts.reader(needs, by_message=False), facts.reader(needs, by_message=True)) if found else (None, None)
    return Plan(settings_cache.current_token(), found, *readers)


def current(event: str) -> Plan:
    """The plan of `event` under the settings token of the session's transaction (reads it)."""
    plans: dict = settings_cache.cached(_NAME, dict)
    plan = plans.get(event)
    if plan is None:
        plan = plans[event] = _build(event)  # one event at a time: most processes see a few events
    return plan


def _last(event: str) -> Plan | None:
    hit = settings_cache.remembered(_NAME)
    return None if hit is None else hit[1].get(event)  # type: ignore[union-attr]


def matching(event: str, ticket_id: int, message_id: int | None = None) -> list[triggers.Compiled]:
    """The `event` triggers whose conditions hold for ticket `ticket_id` now, in order (up to the
    first matching `stop`); `message_id`: the message the event is about (its words are the
    `text`). Empty when the ticket is gone or merged."""
    plan = _last(event)
    if plan is not None and plan.triggers:
        ctx, token = plan.read(ticket_id, message_id)
        if token == plan.token and token is not None:
            return triggers.evaluate(plan.triggers, ctx) if ctx is not None else []
    # The settings changed since (or this process has not prepared the event yet): prepare it under
    # the token of the session's transaction, and read the context in that transaction.
    plan = current(event)
    if not plan.triggers:
        return []
    ctx, _token = plan.read(ticket_id, message_id)
    return triggers.evaluate(plan.triggers, ctx) if ctx is not None else []
