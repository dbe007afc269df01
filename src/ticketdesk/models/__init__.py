"""Every ORM class, imported here so metadata and Alembic see them all."""

from ticketdesk.models.attachment import Attachment
from ticketdesk.models.collaboration import TicketLink, TicketWatcher
from ticketdesk.models.event import Event, IdempotencyRecord
from ticketdesk.models.notification import Notification
from ticketdesk.models.ticket import (
    Comment,
    Contact,
    Label,
    Status,
    Ticket,
    TicketLabel,
)
from ticketdesk.models.view import SavedView
from ticketdesk.models.workspace import (
    ApiToken,
    AuthSession,
    LoginFailure,
    Team,
    TeamMember,
    User,
    Workspace,
)

__all__ = [
    "ApiToken",
    "Attachment",
    "AuthSession",
    "Comment",
    "Contact",
    "Event",
    "IdempotencyRecord",
    "Label",
    "LoginFailure",
    "Notification",
    "SavedView",
    "Status",
    "Team",
    "TeamMember",
    "Ticket",
    "TicketLabel",
    "TicketLink",
    "TicketWatcher",
    "User",
    "Workspace",
]
