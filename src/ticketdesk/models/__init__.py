"""Every ORM class, imported here so metadata and Alembic see them all."""

from ticketdesk.db import CONFIG_TYPES
from ticketdesk.models.approval import Approval
from ticketdesk.models.attachment import Attachment
from ticketdesk.models.automation import AssignmentCursor, Automation, AutomationFiring
from ticketdesk.models.collaboration import TicketLink, TicketWatcher
from ticketdesk.models.conversation import Conversation, ConversationMessage, ConversationTicket
from ticketdesk.models.csat import CsatSurvey
from ticketdesk.models.email import ChannelSettings, EmailMessage, EmailTemplate, RateCounter
from ticketdesk.models.event import Event, IdempotencyRecord
from ticketdesk.models.field import CustomField
from ticketdesk.models.login_throttle import LoginCounter
from ticketdesk.models.macro import Macro
from ticketdesk.models.notification import Notification
from ticketdesk.models.report import ReportCount, ReportDaily, ReportHistogram, TicketMetrics
from ticketdesk.models.sla import BusinessHours, SlaClock, SlaPolicy
from ticketdesk.models.ticket import (
    Comment,
    Contact,
    Label,
    Status,
    Ticket,
    TicketLabel,
)
from ticketdesk.models.ticket_count import TicketCount
from ticketdesk.models.ticket_type import TicketType
from ticketdesk.models.triage import TriageModel
from ticketdesk.models.view import SavedView
from ticketdesk.models.webhook import WebhookAttempt, WebhookDelivery, WebhookSubscription
from ticketdesk.models.workspace import (
    ApiToken,
    AuthSession,
    Team,
    TeamMember,
    User,
    Workspace,
)

__all__ = [
    "ApiToken",
    "Approval",
    "AssignmentCursor",
    "Attachment",
    "Automation",
    "AutomationFiring",
    "AuthSession",
    "BusinessHours",
    "ChannelSettings",
    "Comment",
    "Contact",
    "Conversation",
    "CsatSurvey",
    "CustomField",
    "ConversationMessage",
    "ConversationTicket",
    "EmailMessage",
    "EmailTemplate",
    "Event",
    "IdempotencyRecord",
    "Label",
    "LoginCounter",
    "Macro",
    "Notification",
    "RateCounter",
    "ReportDaily",
    "ReportCount",
    "ReportHistogram",
    "SlaClock",
    "SlaPolicy",
    "SavedView",
    "Status",
    "Team",
    "TeamMember",
    "Ticket",
    "TicketCount",
    "TicketLabel",
    "TicketLink",
    "TicketMetrics",
    "TicketType",
    "TriageModel",
    "TicketWatcher",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
    "Workspace",
]

# the configuration rows ticketdesk.config_cache serves; a write to one drops the session's
# copies, and a trigger bumps the workspace's config_version (migration 0007)
CONFIG_TYPES.extend(
    [
        Status,
        SlaPolicy,
        BusinessHours,
        Automation,
        ChannelSettings,
        EmailTemplate,
        CustomField,
        TicketType,
    ]
)
