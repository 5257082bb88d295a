"""The console's names for stored values (statuses, priorities, roles, channels) in the reader's
language. The stored value stays the form value and the API's; only what people read changes."""

from __future__ import annotations

from flask import Flask

from helpdesk.i18n import lazy_gettext as _l
from helpdesk.i18n import lazy_pgettext as _lp
from helpdesk.models.base import utcnow

# A word several tables share is given a context (msgctxt) where a language says it differently by
# what it names: Spanish agrees in gender (a call "atendida", an article "interno"), and a call
# "missed" is not an SLA target missed. Where every language reads the same, the words stay shared.

STATUS_NAMES = {"new": _l("new"), "open": _l("open"), "pending": _l("pending"), "on_hold": _l("on hold"),
                "solved": _l("solved"), "closed": _l("closed")}
PRIORITY_NAMES = {"low": _l("low"), "normal": _l("normal"), "high": _l("high"), "urgent": _l("urgent")}
ROLE_NAMES = {"admin": _l("admin"), "supervisor": _l("supervisor"), "agent": _l("agent")}
CHANNEL_NAMES = {"web": _l("web"), "api": _l("api"), "email": _l("email"), "webchat": _l("webchat"),
                 "telegram": "Telegram", "whatsapp": "WhatsApp", "messenger": "Messenger", "phone": _l("phone"),
                 "in_person": _l("in person")}

DELIVERY_NAMES = {"queued": _l("queued"), "sending": _l("sending"), "sent": _l("sent"), "delivered": _l("delivered"),
                  "read": _l("read"), "failed": _l("failed")}

SLA_STATE_NAMES = {"ok": _l("ok"), "warning": _l("warning"), "breached": _l("breached"), "met": _l("met"),
                   "missed": _l("missed"), "paused": _l("paused"), "none": _l("none")}

TARGET_NAMES = {"first_response": _l("first response"), "next_response": _l("next response"),
                "resolution": _l("resolution")}

# The trigger editor's words for its stored keys (services.automation: conditions.OPS, actions.TYPES,
# models.automation.EVENTS).
OPERATOR_NAMES = {"is": _l("is"), "is_not": _l("is not"), "in": _l("is one of"), "not_in": _l("is none of"),
                  "contains": _l("contains"), "not_contains": _l("does not contain"), "includes": _l("includes"),
                  "excludes": _l("excludes"), "gt": _l("more than"), "gte": _l("at least"), "lt": _l("less than"),
                  "lte": _l("at most"), "present": _l("is set"), "absent": _l("is not set"),
                  "during": _l("during business hours of"), "outside": _l("outside business hours of")}
ACTION_NAMES = {"set": _l("set a property"), "assign": _l("assign to"), "add_tags": _l("add tags"),
                "remove_tags": _l("remove tags"), "set_field": _l("set a custom field"), "notify": _l("notify"),
                "reply": _l("reply with a template"), "macro": _l("apply a macro"), "webhook": _l("call a webhook")}
CONDITION_FIELD_NAMES = {
    "status": _l("status"), "priority": _l("priority"), "group": _l("group"), "assignee": _l("assignee"),
    "channel": _l("channel"), "subject": _l("subject"), "text": _l("text"), "tags": _l("tags"),
    "language": _l("language"), "customer.tier": _l("customer tier"), "customer.organization": _l("customer's organization"),
    "sender_priority": _l("priority the sender marked"), "business_hours": _l("business hours"),
    "hours_since_created": _l("hours since created"), "hours_since_updated": _l("hours since the last change"),
    "hours_since_pending": _l("hours pending"), "hours_since_solved": _l("hours since solved"),
    "hours_since_last_customer_message": _l("hours since the customer last wrote")}
EVENT_NAMES = {"ticket.created": _l("ticket created"), "ticket.updated": _l("ticket updated"),
               "customer.replied": _l("customer replied"), "agent.replied": _l("agent replied"),
               "sla.warning": _l("SLA warning"), "sla.breached": _l("SLA breach"),
               "survey.answered": _l("survey answered")}

# Values the admin, routing and call pages show from model tuples (models.fields.KINDS / ENTITIES,
# models.routing.KINDS, models.calls.CALL_STATES, the webhook delivery states).
FIELD_KIND_NAMES = {"text": _l("text"), "number": _l("number"), "date": _l("date"), "dropdown": _l("dropdown"),
                    "checkbox": _l("checkbox")}
FIELD_ENTITY_NAMES = {"ticket": _l("ticket"), "customer": _l("customer"), "organization": _l("organization")}
WORK_KIND_NAMES = {"chat": _l("Chat"), "messaging": _l("Messaging"), "ticket": _l("Ticket")}
WORK_WORDS = {"chat": _l("chat"), "messaging": _l("messaging"), "ticket": _l("ticket")}  # within a sentence
CALL_STATE_NAMES = {"ringing": _l("ringing"), "answered": _lp("call state", "answered"),
                    "completed": _l("completed"), "missed": _lp("call state", "missed"), "abandoned": _l("abandoned")}
WEBHOOK_STATE_NAMES = {"queued": _l("queued"), "waiting": _l("waiting"), "retrying": _l("retrying"),
                       "delivered": _l("delivered"), "failed": _l("failed")}
# Surveys (models.surveys.SURVEY_STATES, Survey.follow_up_done), privacy (models.privacy: PURPOSES,
# CONSENT_SOURCES, RETENTION_ACTIONS) and availability
# (models.routing.AVAILABILITY and the reasons services.routing.availability stores; the live
# board's script says these through t(), script.SCRIPT_STRINGS).
PURPOSE_NAMES = {"service": _l("Service messages"), "surveys": _l("Satisfaction surveys"), "marketing": _l("Marketing")}
CONSENT_SOURCE_NAMES = {"form": _l("contact form"), "widget": _l("chat widget"), "mail": _l("e-mail"),
                        "agent": _l("agent"), "import": _l("import"), "portal": _l("portal")}  # and an erasure's `via`
RETENTION_ACTION_NAMES = {"anonymise": _l("anonymise"), "delete": _l("delete")}
SURVEY_STATE_NAMES = {"scheduled": _l("scheduled"), "sent": _lp("survey state", "sent"),
                      "answered": _lp("survey state", "answered"), "expired": _l("expired"),
                      "skipped": _l("skipped"), "failed": _lp("survey state", "failed")}
FOLLOW_UP_NAMES = {"reopened": _l("reopened the ticket"), "notified": _l("notified the ticket's people")}
RECOMPUTE_STATE_NAMES = {"queued": _l("queued"), "running": _l("running"), "done": _l("done"),
                         "superseded": _l("superseded"), "failed": _l("failed")}  # models.sla.SlaRecompute
# The knowledge base's articles (knowledge_base.models.content: STATUSES, VISIBILITIES).
ARTICLE_STATUS_NAMES = {"draft": _l("draft"), "published": _l("published"), "archived": _l("archived")}
ARTICLE_VISIBILITY_NAMES = {"public": _l("public"), "internal": _lp("article visibility", "internal")}
AVAILABILITY_NAMES = {"online": _l("online"), "away": _l("away"), "offline": _l("offline")}
AVAILABILITY_REASON_NAMES = {"agent": _l("agent"), "admin": _l("admin"), "idle": _l("idle"),
                             "signed out": _l("signed out"), "console opened": _l("console opened"),
                             "console closed": _l("console closed"), "never set": _l("never set")}


def _named(names: dict):
    def name(value) -> str:
        return str(names.get(value, value if value is not None else "—"))

    return name


status_name = _named(STATUS_NAMES)
priority_name = _named(PRIORITY_NAMES)
role_name = _named(ROLE_NAMES)
channel_name = _named(CHANNEL_NAMES)
delivery_name = _named(DELIVERY_NAMES)
sla_state_name = _named(SLA_STATE_NAMES)
target_name = _named(TARGET_NAMES)
operator_name = _named(OPERATOR_NAMES)
action_name = _named(ACTION_NAMES)
event_name = _named(EVENT_NAMES)
condition_field_name = _named(CONDITION_FIELD_NAMES)  # a custom field's key reads as itself
field_kind_name = _named(FIELD_KIND_NAMES)
field_entity_name = _named(FIELD_ENTITY_NAMES)
work_kind_name = _named(WORK_KIND_NAMES)
work_word = _named(WORK_WORDS)
purpose_name = _named(PURPOSE_NAMES)
consent_source_name = _named(CONSENT_SOURCE_NAMES)
retention_action_name = _named(RETENTION_ACTION_NAMES)
availability_name = _named(AVAILABILITY_NAMES)
survey_state_name = _named(SURVEY_STATE_NAMES)
follow_up_name = _named(FOLLOW_UP_NAMES)
recompute_state_name = _named(RECOMPUTE_STATE_NAMES)
article_status_name = _named(ARTICLE_STATUS_NAMES)
article_visibility_name = _named(ARTICLE_VISIBILITY_NAMES)
availability_reason_name = _named(AVAILABILITY_REASON_NAMES)
call_state_name = _named(CALL_STATE_NAMES)
webhook_state_name = _named(WEBHOOK_STATE_NAMES)


def init_app(app: Flask) -> None:
    """`status_name(s)`, `priority_name(p)`, `role_name(r)`, `channel_name(c)`, `delivery_name(d)` and
    `now()` in templates."""
    app.jinja_env.globals.update(status_name=status_name, priority_name=priority_name, role_name=role_name,
                                 channel_name=channel_name, delivery_name=delivery_name,
                                 sla_state_name=sla_state_name, target_name=target_name, operator_name=operator_name,
                                 action_name=action_name, event_name=event_name,
                                 condition_field_name=condition_field_name, field_kind_name=field_kind_name,
                                 field_entity_name=field_entity_name, work_kind_name=work_kind_name,
                                 call_state_name=call_state_name, webhook_state_name=webhook_state_name,
                                 purpose_name=purpose_name, consent_source_name=consent_source_name,
                                 retention_action_name=retention_action_name, availability_name=availability_name,
                                 availability_reason_name=availability_reason_name,
                                 survey_state_name=survey_state_name, follow_up_name=follow_up_name,
                                 recompute_state_name=recompute_state_name, article_status_name=article_status_name,
                                 article_visibility_name=article_visibility_name, now=utcnow)
