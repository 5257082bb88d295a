"""Database models: columns, relationships and trivial derived properties, nothing more."""

from helpdesk.models.accounts import ChannelAccount, WidgetConfirmation
from helpdesk.models.audit import AuditEntry
from helpdesk.models.automation import Automation, AutomationFiring, PriorityRule, Trigger, TriggerFiring
from helpdesk.models.calls import Call, CallEvent
from helpdesk.models.customers import Customer, Identity, Organization
from helpdesk.models.drafts import Draft
from helpdesk.models.fields import CustomField, CustomValue
from helpdesk.models.idempotency import IdempotencyKey
from helpdesk.models.macros import Macro
from helpdesk.models.mail import FailedMail, Mailbox
from helpdesk.models.messages import Attachment, Message
from helpdesk.models.portal import PortalSession, PortalSignIn
from helpdesk.models.privacy import Consent, ErasureRequest, RetentionPolicy
from helpdesk.models.reports import ReportDaily, ReportFact, ReportMonthly
from helpdesk.models.routing import AgentAvailability, AgentCapacity, AgentSkill, GroupRouting, RoutingOffer
from helpdesk.models.search import TicketSearchDoc, TicketSearchTerm
from helpdesk.models.settings import SettingsRevision
from helpdesk.models.sla import (
    Notification,
    NotificationPreference,
    SlaCalendar,
    SlaCrossing,
    SlaOutcome,
    SlaPolicyConfig,
    SlaRecompute,
)
from helpdesk.models.staff import AccountLink, ApiToken, Group, SecuritySettings, User, UserSession, group_members
from helpdesk.models.surveys import Survey, SurveySettings, SurveyTemplate
from helpdesk.models.tickets import Ticket, TicketEvent, TicketLink, TicketTag
from helpdesk.models.topics import TicketTopic, Topic, TopicModel, TopicSettings
from helpdesk.models.views import SavedView, SavedViewPosition
from helpdesk.models.webhooks import Webhook, WebhookDelivery

__all__ = [
    "AgentAvailability", "AgentCapacity", "AgentSkill", "GroupRouting", "RoutingOffer",
    "AccountLink", "Automation", "AutomationFiring", "Consent", "CustomField", "CustomValue", "ErasureRequest", "RetentionPolicy", "SecuritySettings", "Trigger", "TriggerFiring", "Webhook", "WebhookDelivery", "UserSession", "TicketSearchDoc", "TicketSearchTerm",
    "ApiToken", "Attachment", "AuditEntry", "Call", "CallEvent", "ChannelAccount", "Customer", "Draft", "FailedMail", "Group", "IdempotencyKey", "Identity", "Macro", "Mailbox",
    "Message", "Notification", "NotificationPreference", "Organization", "PriorityRule", "ReportDaily", "ReportFact", "ReportMonthly", "SlaCalendar", "SlaCrossing", "SlaOutcome", "SlaPolicyConfig",
    "SavedView", "SavedViewPosition", "SettingsRevision", "SlaRecompute", "Survey", "SurveySettings", "SurveyTemplate", "Ticket", "TicketEvent", "TicketLink", "TicketTag", "TicketTopic", "Topic", "TopicModel", "TopicSettings", "User", "WidgetConfirmation", "group_members",
    "PortalSession", "PortalSignIn",
]
