"""Satisfaction surveys: one scheduled per enabled kind when a ticket is solved, sent when due.

A survey is a row from the solve on: `schedule_for_solve` writes it with `scheduled_for = solve +
delay`; `send_due` later either skips it (reason stored) or sends it as an automatic outbound
message through the outbox, on the channel the customer used. The unique key (ticket, kind,
solved_at) keeps one survey per solve, and the send claims its row with a conditional UPDATE in
the same transaction that queues the message, so two senders racing never both send.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from channels.base import IDENTITY_KINDS
from helpdesk.extensions import db
from helpdesk.models import Identity, Message, SlaOutcome, Survey, Ticket
from helpdesk.models.base import utcnow
from helpdesk.models.surveys import SCALES, SURVEY_KINDS
from helpdesk.services import events, replies
from helpdesk.services.privacy import consent
from helpdesk.services.surveys import settings as survey_settings
from helpdesk.services.transactions import begin_write

# Tickets from the web form and the API are answered by e-mail: for surveys they are e-mail too.
_CHANNEL_KIND = {"web": "email", "api": "email", "email": "email"}
# Channels whose customers answer with buttons; the others get a link only.
BUTTON_CHANNELS = ("telegram", "whatsapp", "webchat")
EMAIL_CHANNELS = tuple(_CHANNEL_KIND)  # ticket channels whose replies go out by e-mail
# A bounce this old no longer speaks for an address: mailboxes get fixed, domains come back.
BOUNCE_MEMORY = timedelta(days=90)


def survey_channel(ticket_channel: str) -> str:
    """The survey channel (see survey_settings.SURVEY_CHANNELS) of a ticket's channel."""
    return _CHANNEL_KIND.get(ticket_channel, ticket_channel)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest under which a survey token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def _sla_outcomes(ticket_id: int) -> dict[str, bool]:
    """target -> met, of the latest SLA outcome of each target of the ticket."""
    rows = db.session.execute(select(SlaOutcome.target, SlaOutcome.met).where(SlaOutcome.ticket_id == ticket_id)
                              .order_by(SlaOutcome.id))
    return {target: met for target, met in rows}


def schedule_for_solve(ticket_id: int, solver_id: int | None) -> list[Survey]:
    """Schedule a survey of every enabled kind for the ticket's current solve (credited to
    `solver_id`); commits. A solve already scheduled is left alone. Returns the new rows."""
    ticket = db.session.get(Ticket, ticket_id)
    enabled = [s for s in map(survey_settings.settings_for, SURVEY_KINDS) if s.enabled]
    if ticket is None or ticket.solved_at is None or ticket.merged_into_id is not None or not enabled:
        # End the read: this runs after the caller's commit, in its session, and on SQLite a
        # snapshot left open cannot write once another connection has committed.
        db.session.commit()
        return []
    outcomes = _sla_outcomes(ticket.id)
    created = []
    for settings in enabled:
        survey = Survey(kind=settings.kind, ticket_id=ticket.id, customer_id=ticket.customer_id, agent_id=solver_id,
                        group_id=ticket.group_id, channel=survey_channel(ticket.channel), priority=ticket.priority,
                        solved_at=ticket.solved_at, sla_first_response_met=outcomes.get("first_response"),
                        sla_resolution_met=outcomes.get("resolution"), state="scheduled",
                        scheduled_for=ticket.solved_at + timedelta(minutes=settings.delay_minutes))
        try:
            with db.session.begin_nested():
                db.session.add(survey)
            created.append(survey)
        except IntegrityError:
            pass  # this solve already has its survey of this kind
    db.session.commit()
    return created


def due_ids(now: datetime | None = None, limit: int = 200) -> list[int]:
    """Ids of scheduled surveys whose time has come, oldest first."""
    query = (select(Survey.id).where(Survey.state == "scheduled", Survey.scheduled_for <= (now or utcnow()))
             .order_by(Survey.scheduled_for, Survey.id).limit(limit))
    ids = list(db.session.scalars(query))
    db.session.commit()  # end the read: each send starts its own write transaction
    return ids


def _claim(survey_id: int) -> bool:
    # Inside the sender's write transaction: on PostgreSQL a concurrent sender blocks on the row
    # and then finds it no longer scheduled; on SQLite writers take turns.
    result = db.session.execute(update(Survey).where(Survey.id == survey_id, Survey.state == "scheduled")
                                .values(state="scheduled"))
    return result.rowcount == 1


def _recipient(ticket: Ticket) -> Identity | None:
    """The customer's identity the survey goes to: the one they last wrote from on the ticket (as
    the outbox picks it), else their newest one of the survey channel's kind."""
    kind = survey_channel(ticket.channel)
    if kind not in IDENTITY_KINDS:
        return None
    mine = (Identity.customer_id == ticket.customer_id, Identity.kind == kind)
    return db.session.scalar(
        select(Identity).join(Message, Message.identity_id == Identity.id)
        .where(*mine, Message.ticket_id == ticket.id, Message.kind == "inbound").order_by(Message.id.desc()).limit(1)
    ) or db.session.scalar(select(Identity).where(*mine).order_by(Identity.id.desc()).limit(1))


def _names(text: str, address: str) -> bool:
    """True when `text` names `address` as a whole address (not inside a longer one)."""
    return re.search(rf"(?<![\w.+-]){re.escape(address)}(?![\w-]|\.\w)", text, re.IGNORECASE) is not None


def address_bounced(identity: Identity, now: datetime) -> bool:
    """True when e-mail to `identity` (an e-mail address) bounced within BOUNCE_MEMORY on any ticket
    of its customer (a delivery report marked the outbound mail failed, naming the address) and
    nothing came from that address after the bounced mail was written."""
    failed = db.session.execute(
        select(Message.created_at, Message.delivery_error).join(Ticket, Ticket.id == Message.ticket_id)
        .where(Ticket.customer_id == identity.customer_id, Message.kind == "outbound",
               Message.channel.in_(EMAIL_CHANNELS), Message.delivery_state == "failed",
               Message.created_at >= now - BOUNCE_MEMORY)
    ).all()
    bounced_at = max((row.created_at for row in failed if _names(row.delivery_error or "", identity.address)),
                     default=None)
    if bounced_at is None:
        return False
    heard_since = db.session.scalar(select(Message.id).where(
        Message.identity_id == identity.id, Message.kind == "inbound", Message.created_at > bounced_at).limit(1))
    return heard_since is None


def skip_reason(survey: Survey, ticket: Ticket, now: datetime) -> str | None:
    """Why `survey` must not go out now, or None when it may."""
    settings = survey_settings.settings_for(survey.kind)
    if not settings.enabled:
        return f"{survey.kind} surveys were switched off"
    if survey.channel not in (settings.channels or []):
        return f"surveys are not sent through {survey.channel}"
    if not consent.allows(survey.customer_id, "surveys"):
        return "the customer opted out of surveys"
    if ticket.status not in ("solved", "closed") or ticket.solved_at != survey.solved_at:
        return "the ticket was reopened before the survey went out"
    since = now - timedelta(days=settings.min_days_between)
    recent = db.session.scalar(select(func.count()).select_from(Survey).where(
        Survey.customer_id == survey.customer_id, Survey.kind == survey.kind, Survey.id != survey.id,
        Survey.sent_at.is_not(None), Survey.sent_at >= since))
    if recent:
        return f"the customer got a {survey.kind} survey in the last {settings.min_days_between} day(s)"
    last_in = db.session.scalar(select(Message).where(Message.ticket_id == ticket.id, Message.kind == "inbound")
                                .order_by(Message.id.desc()).limit(1))
    if last_in is not None and last_in.is_automated:
        return "the customer's last message was an automatic reply"
    last_out = db.session.scalar(select(Message).where(Message.ticket_id == ticket.id, Message.kind == "outbound")
                                 .order_by(Message.id.desc()).limit(1))
    if last_out is not None and last_out.delivery_state == "failed" and survey.channel == "email":
        return "the customer's address bounced"
    recipient = _recipient(ticket)
    if recipient is None:
        return "the customer has no address on this channel"
    if survey.channel == "email" and address_bounced(recipient, now):
        return "the customer's address bounced"
    return None


def _body(survey: Survey, ticket: Ticket, template, public_url: str, token: str) -> str:
    link = f"{public_url.rstrip('/')}/survey/{token}"
    values = {"customer_name": ticket.customer.name or "", "ticket_subject": ticket.subject,
              "ticket_number": ticket.number}
    if survey.channel in BUTTON_CHANNELS:
        return f"{template.question}\n\n{link}"
    low, high = SCALES[survey.kind]
    one_click = "\n".join(f"{score}: {link}?score={score}" for score in range(low, high + 1))
    return template.body.format(**values, link=f"{link}\n\n{one_click}")


def send(survey_id: int, public_url: str, now: datetime | None = None) -> str | None:
    """Send or skip one scheduled survey; commits. Returns its new state, or None when it was not
    (or no longer) scheduled. Links point at `public_url` (the helpdesk's public address)."""
    now = now or utcnow()
    survey = db.session.get(Survey, survey_id)
    if survey is None or survey.state != "scheduled":
        db.session.commit()
        return None
    # Created now if missing: a commit inside the write transaction below would end its lock.
    survey_settings.template_for(survey.kind, survey.customer.language)
    db.session.commit()
    begin_write()
    if not _claim(survey_id):
        db.session.rollback()
        return None
    survey = db.session.get(Survey, survey_id)
    ticket = db.session.get(Ticket, survey.ticket_id)
    reason = skip_reason(survey, ticket, now)
    if reason is not None:
        survey.state, survey.skip_reason = "skipped", reason
        db.session.commit()
        return "skipped"
    settings = survey_settings.settings_for(survey.kind)
    template = survey_settings.template_for(survey.kind, ticket.customer.language)
    token = secrets.token_urlsafe(32)  # 256 bits; only its hash is kept
    message, payload = replies.stage_automated(ticket, _body(survey, ticket, template, public_url, token))
    survey.state, survey.token_hash, survey.reference = "sent", hash_token(token), secrets.token_urlsafe(9)
    survey.language, survey.sent_at, survey.message_id = template.language, now, message.id
    survey.expires_at = now + timedelta(days=settings.expiry_days)
    db.session.commit()
    events.publish("message.created", payload)
    return "sent"


def send_due(public_url: str, now: datetime | None = None) -> dict[int, str]:
    """Send or skip every due survey; {survey id: new state} of those this call handled."""
    done = {}
    for survey_id in due_ids(now):
        state = send(survey_id, public_url, now)
        if state is not None:
            done[survey_id] = state
    return done


def expire(now: datetime | None = None) -> int:
    """Mark sent surveys past their expiry as expired; commits. Returns how many."""
    result = db.session.execute(update(Survey).where(Survey.state == "sent", Survey.expires_at <= (now or utcnow()))
                                .values(state="expired"))
    db.session.commit()
    return result.rowcount


def of_ticket(ticket_id: int) -> list[Survey]:
    """The ticket's surveys, oldest first (for its page)."""
    return list(db.session.scalars(select(Survey).where(Survey.ticket_id == ticket_id).order_by(Survey.id)))
