"""Outbound webhooks: endpoints subscribed to event types get a signed JSON POST per event,
retried with back-off by the job queue, every attempt in a delivery log, paused after repeated
failures, sent through channels.safe_fetch (https to public addresses only, unless an admin
allowed this endpoint to reach a private one).

Signature: the header `X-Helpdesk-Signature: t=<unix seconds>,v1=<hex>` where `<hex>` is
HMAC-SHA256 with the endpoint's secret over the bytes `<t>.<body>` (the timestamp, a dot, the
exact request body). A receiver recomputes it, compares in constant time and refuses a `t` older
than a few minutes (a replay). `X-Helpdesk-Event` names the event, `X-Helpdesk-Delivery` the
delivery id (the same on every retry of one delivery).

Order: deliveries about one ticket reach an endpoint in the order they were staged (the order of
the events, staged as each is published after its commit): a delivery waits while an earlier one
of the same endpoint and ticket is queued or retrying, and the earlier one, once delivered or
failed for good, hands over to it. So a `ticket.updated` never arrives before its `ticket.created`,
even when the first attempt of the created one failed.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets as token_source
import time
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from channels import safe_fetch
from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Ticket, Webhook, WebhookDelivery
from helpdesk.models.base import utcnow
from helpdesk.models.webhooks import WEBHOOK_EVENTS
from helpdesk.services import events, secrets, settings_cache
from helpdesk.services.automation.conditions import ConditionError
from helpdesk.services.fields.values import values_for
from helpdesk.services.transactions import begin_write

MAX_ATTEMPTS = 6
PAUSE_AFTER = 10  # consecutive failed attempts
FIRST_RETRY = 30  # seconds, doubling, capped at an hour
TIMEOUT = 10.0


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The `X-Helpdesk-Signature` value for `body` sent at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, *, tolerance: int = 300, now: float | None = None) -> bool:
    """Whether `header` signs `body` with `secret` within `tolerance` seconds (what a receiver does)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), f"t={timestamp},v1={parts.get('v1', '')}")


# --- endpoints --------------------------------------------------------------------------------

def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.partition("%")[0])
    except ValueError:
        return False
    return True


def _url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname or len(url) > 2000:
        raise ConditionError("url", _("must be an http(s) URL of at most 2000 characters"))
    if parts.username or parts.password:
        raise ConditionError("url", _("must not carry credentials (the signature authenticates us)"))
    return url


def save(row: Webhook | None, data: dict) -> tuple[Webhook, str | None]:
    """Create (`row` None) or change an endpoint; commits. Returns it and, when created (or with
    `rotate_secret`), its new secret: shown once, stored sealed. ConditionError names the input."""
    creating = row is None
    row = row or Webhook(failures=0)
    name = " ".join(str(data.get("name", row.name or "")).split())
    if not 1 <= len(name) <= 200:
        raise ConditionError("name", _("must be 1 to 200 characters"))
    url = _url(data.get("url", row.url or ""))
    subscribed = data.get("events", row.events or [])
    if not isinstance(subscribed, list) or not subscribed or set(subscribed) - set(WEBHOOK_EVENTS):
        raise ConditionError("events", _("must be a non-empty list among %(list)s", list=list(WEBHOOK_EVENTS)))
    allow_private = bool(data.get("allow_private", row.allow_private or False))
    if urlsplit(url).scheme == "http" and not allow_private:
        raise ConditionError("url", _("must be https (plain http only for an endpoint allowed a private address)"))
    if not allow_private and _is_address(host := urlsplit(url).hostname) and not safe_fetch.is_public(host):
        # A name is judged at each delivery (it may resolve elsewhere later); an address can be judged now.
        raise ConditionError("url", _("is a private address: allow this endpoint a private address to use it"))
    row.name, row.url, row.events, row.allow_private = name, url, list(dict.fromkeys(subscribed)), allow_private
    row.active = bool(data.get("active", True if row.active is None else row.active))
    secret = None
    if creating or data.get("rotate_secret"):
        secret = token_source.token_urlsafe(32)
        row.secret_sealed = secrets.seal(secret)
    if data.get("resume"):
        row.paused_at, row.failures = None, 0
    db.session.add(row)
    db.session.commit()
    return row, secret


def delete(row: Webhook) -> None:
    """Remove an endpoint and its delivery log; commits."""
    db.session.delete(row)
    db.session.commit()


def _subscriptions(connection) -> dict[str, tuple[int, ...]]:
    found: dict[str, list[int]] = {}
    rows = connection.execute(select(Webhook.id, Webhook.events).where(Webhook.active, Webhook.paused_at.is_(None))
                              .order_by(Webhook.id))
    for row in rows:
        for event in dict.fromkeys(row.events or []):
            found.setdefault(event, []).append(row.id)
    return {event: tuple(ids) for event, ids in found.items()}


def subscribed(event: str) -> list[int]:
    """Ids of the active, unpaused endpoints subscribed to `event`, outside the caller's session
    (subscribers run after their publisher's commit). Cached per settings token, which every
    change of an endpoint's `active`, `paused_at` or `events` renews: one read of the token per
    event instead of a connection and a read of every endpoint (12 % of an API ticket's CPU)."""
    return list(settings_cache.peek_or_load("webhook_subscriptions", _subscriptions).get(event, ()))


def deliveries(webhook: Webhook, *, before: int | None = None, limit: int = 50) -> list[WebhookDelivery]:
    """The endpoint's delivery log, newest first; `before` (an id) continues an older page."""
    query = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook.id)
    if before is not None:
        query = query.where(WebhookDelivery.id < before)
    return list(db.session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit)))


# --- queueing ---------------------------------------------------------------------------------

def _ticket(ticket_id: int | None) -> dict | None:
    ticket = db.session.get(Ticket, ticket_id) if ticket_id else None
    if ticket is None:
        return None
    return {"id": ticket.id, "number": ticket.number, "subject": ticket.subject, "status": ticket.status,
            "priority": ticket.priority_name, "channel": ticket.channel, "group_id": ticket.group_id,
            "assignee_id": ticket.assignee_id, "customer_id": ticket.customer_id, "tags": ticket.tags,
            "custom_fields": values_for("ticket", ticket.id),
            "created_at": ticket.created_at.isoformat() + "Z", "updated_at": ticket.updated_at.isoformat() + "Z"}


def _stage(webhook_id: int, event: str, data: dict, ticket: dict | None) -> WebhookDelivery:
    now = utcnow()
    delivery = WebhookDelivery(webhook_id=webhook_id, event=event, body="", state="queued", attempts=0,
                               created_at=now, next_attempt_at=now, ticket_id=ticket["id"] if ticket else None)
    db.session.add(delivery)
    db.session.flush()
    delivery.body = json.dumps({"event": event, "delivery_id": delivery.id, "occurred_at": now.isoformat() + "Z",
                                "data": data, "ticket": ticket}, separators=(",", ":"), default=str)
    return delivery


def _publish(ids: list[int]) -> None:
    for delivery_id in ids:
        events.publish("webhook.queued", {"delivery_id": delivery_id})


def queue(event: str, payload: dict) -> list[int]:
    """Stage a delivery of domain event `event` for every endpoint subscribed to it; commits, then
    publishes `webhook.queued` for each (the jobs send them). Returns the delivery ids."""
    targets = subscribed(event)
    if not targets:
        return []
    begin_write()
    ticket = _ticket(payload.get("ticket_id"))
    ids = [_stage(webhook_id, event, payload, ticket).id for webhook_id in targets]
    db.session.commit()
    _publish(ids)
    return ids


def queue_for_action(webhook_id: int, ticket: Ticket, event: str, source) -> int | None:
    """A trigger or automation `source` calls endpoint `webhook_id` about `ticket` (whatever it
    subscribes to); commits and publishes. None when the endpoint is gone, off or paused."""
    db.session.commit()
    hook = db.session.get(Webhook, webhook_id)
    if hook is None or not hook.active or hook.paused_at is not None:
        return None
    begin_write()
    data = {"source": {"id": source.id, "name": source.name}, "on": event or None, "ticket_id": ticket.id}
    delivery_id = _stage(webhook_id, "trigger", data, _ticket(ticket.id)).id
    db.session.commit()
    _publish([delivery_id])
    return delivery_id


# --- sending ----------------------------------------------------------------------------------

def backoff(attempts: int) -> int:
    """Seconds before the next try after `attempts` failed ones."""
    return min(FIRST_RETRY * 2 ** max(0, attempts - 1), 3600)


def _post(hook: Webhook, delivery: WebhookDelivery) -> tuple[int | None, str | None, bool]:
    """One attempt: (response code, error or None, retryable)."""
    body = delivery.body.encode()
    headers = {"Content-Type": "application/json", "X-Helpdesk-Event": delivery.event,
               "X-Helpdesk-Delivery": str(delivery.id),
               "X-Helpdesk-Signature": sign(secrets.unseal(hook.secret_sealed), int(time.time()), body)}
    try:
        answer = safe_fetch.post(hook.url, body, headers=headers, timeout=TIMEOUT,
                                 trusted_base=hook.url if hook.allow_private else None)
    except safe_fetch.FetchError as exc:
        return exc.status, exc.reason[:300], exc.retryable
    return answer.status, None, False


PENDING = ("queued", "waiting", "retrying")
FINAL = ("delivered", "failed")


def _same_ticket(delivery: WebhookDelivery):
    return select(WebhookDelivery.id, WebhookDelivery.state).where(
        WebhookDelivery.webhook_id == delivery.webhook_id, WebhookDelivery.ticket_id == delivery.ticket_id,
        WebhookDelivery.state.in_(PENDING))


def _waits(delivery: WebhookDelivery) -> bool:
    """Whether an earlier delivery of the same endpoint and ticket is still to go out."""
    if delivery.ticket_id is None:
        return False
    return db.session.execute(_same_ticket(delivery).where(WebhookDelivery.id < delivery.id).limit(1)).first() is not None


def _next_in_line(delivery: WebhookDelivery) -> list[int]:
    """The delivery that waits for this one (finished now) to go out first: at most one."""
    if delivery.ticket_id is None:
        return []
    row = db.session.execute(_same_ticket(delivery).where(WebhookDelivery.id > delivery.id)
                             .order_by(WebhookDelivery.id).limit(1)).first()
    return [row.id] if row is not None and row.state == "waiting" else []


def _locked(delivery_id: int) -> tuple[WebhookDelivery | None, Webhook | None]:
    """A write transaction holding the delivery's endpoint (FOR UPDATE on PostgreSQL; SQLite's
    writer holds the database): one endpoint's waits and hand-overs happen one at a time, so a
    delivery never starts waiting just after the earlier one looked for whom to hand over to."""
    begin_write()
    delivery = db.session.get(WebhookDelivery, delivery_id, populate_existing=True)
    if delivery is None:
        return None, None
    statement = select(Webhook).where(Webhook.id == delivery.webhook_id).execution_options(populate_existing=True)
    if db.engine.dialect.name == "postgresql":
        statement = statement.with_for_update()
    hook = db.session.scalars(statement).first()
    return db.session.get(WebhookDelivery, delivery_id, populate_existing=True), hook


def deliver(delivery_id: int) -> int | None:
    """Try one delivery (unless done, waiting for an earlier one of its ticket, or its endpoint is
    off or paused); log the outcome. Returns the seconds after which to try again, or None when
    there is nothing more to do now (a waiting delivery is handed over to when its turn comes)."""
    delivery, hook = _locked(delivery_id)
    if delivery is None or delivery.state in FINAL:
        db.session.rollback()
        return None
    if _waits(delivery):
        delivery.state = "waiting"
        db.session.commit()
        return None
    if not hook.active or hook.paused_at is not None:
        delivery.state, delivery.error = "failed", "the endpoint is paused" if hook.paused_at else "the endpoint is off"
        return _finish(delivery, None)
    db.session.commit()
    code, error, retryable = _post(hook, delivery)  # no transaction open while waiting on the network
    delivery, hook = _locked(delivery_id)
    if delivery is None:
        db.session.rollback()
        return None
    now = utcnow()
    delivery.attempts += 1
    delivery.response_code, delivery.error = code, error
    if error is None:
        delivery.state, delivery.delivered_at, delivery.next_attempt_at = "delivered", now, None
        hook.failures = 0
        return _finish(delivery, None)
    hook.failures += 1
    if hook.failures >= PAUSE_AFTER and hook.paused_at is None:
        hook.paused_at = now
    again = retryable and delivery.attempts < MAX_ATTEMPTS and hook.paused_at is None
    delay = backoff(delivery.attempts) if again else None
    delivery.state = "retrying" if again else "failed"
    delivery.next_attempt_at = now + timedelta(seconds=delay) if delay else None
    return _finish(delivery, delay)


def _finish(delivery: WebhookDelivery, delay: int | None) -> int | None:
    """Commit the outcome; a delivery done for good hands over to the next one of its ticket."""
    following = _next_in_line(delivery) if delivery.state in FINAL else []
    db.session.commit()
    _publish(following)
    return delay
