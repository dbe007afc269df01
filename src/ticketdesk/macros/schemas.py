"""Macro shapes: a canned reply (a template) and the ticket changes that go with it."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import Field, model_validator

from ticketdesk.automations.schemas import FieldActionType, check_action_value
from ticketdesk.comments.schemas import CommentRead, Visibility
from ticketdesk.schemas import (
    CommentBody,
    Flag,
    Input,
    JsonValue,
    Name100,
    NotNullable,
    Output,
    UtcDateTime,
)
from ticketdesk.tickets.schemas import TicketRead

# the automation actions that change a ticket's fields (a macro's reply is its body, so
# add_comment, send_email and notify are not among them)
MacroActionType = FieldActionType
ASSIGN_ME = "me"
MAX_ACTIONS = 20

BODY_DESCRIPTION = (
    "The reply, Markdown with placeholders such as `{{ ticket.requester.name }}`, rendered by "
    "the sandboxed template engine of the email templates. Placeholders: `ticket.` key, "
    "number, subject, description, status, status_label, status_category, priority, type, "
    "category, channel, labels, custom_fields.<key>, requester.{name,first_name,email}, "
    "assignee.{name,first_name,email}, team.name; `requester.` and `agent.` (who applies the "
    "macro) {name,first_name,email}; `workspace.name`. An unknown placeholder is a 422."
)


class MacroAction(Input):
    """An automation action: set_status, set_type, set_category: a name (null clears type and
    category); set_priority: low, normal, high or urgent; set_team: a team id or null; assign:
    a user id, `me` (whoever applies the macro) or null; add_labels, remove_labels: 1 to 50
    labels; set_custom_field: {"key", "value"}."""

    type: MacroActionType
    value: JsonValue = None

    @model_validator(mode="after")
    def _check(self) -> MacroAction:
        if self.type == "assign" and self.value in ("round_robin", "least_loaded"):
            raise ValueError("a macro assigns a user id, `me` or null (no round robin)")
        if not (self.type == "assign" and self.value == ASSIGN_ME):
            check_action_value(self.type, self.value)
        return self


Actions = Annotated[list[MacroAction], Field(max_length=MAX_ACTIONS)]
Body = Annotated[CommentBody, Field(description=BODY_DESCRIPTION)]


class MacroCreate(Input):
    name: Name100
    body: Body | None = None
    visibility: Visibility = "public"
    actions: Actions = []
    shared: Flag = Field(
        default=False,
        description="shared with the whole workspace (admins only); else your personal macro",
    )


class MacroUpdate(Input):
    """Only the fields sent change; `body: null` removes the reply."""

    name: Annotated[Name100 | None, NotNullable] = None
    body: Body | None = None
    visibility: Annotated[Visibility | None, NotNullable] = None
    actions: Annotated[Actions | None, NotNullable] = None
    shared: Annotated[Flag | None, NotNullable] = None


class MacroRead(Output):
    id: uuid.UUID
    name: str
    body: str | None
    visibility: Visibility
    actions: list[dict[str, Any]]
    shared: bool
    owner_id: uuid.UUID | None = Field(description="whose personal macro it is; null if shared")
    created_at: UtcDateTime
    updated_at: UtcDateTime


class MacroRef(Output):
    id: uuid.UUID
    name: str


class ReplyPreview(Output):
    body: str = Field(description="the rendered reply, Markdown")
    body_html: str = Field(description="the rendered reply as HTML, sanitized")
    visibility: Visibility


class MacroPreview(Output):
    macro: MacroRef
    comment: ReplyPreview | None = Field(description="null when the macro has no reply")
    changes: dict[str, dict[str, Any]] = Field(
        description='what would change, by field: {"from", "to"} (labels also "added" and '
        '"removed")'
    )


class MacroApply(Input):
    """Optional: the reply as the agent edited it (it replaces the macro's rendered body)."""

    body: CommentBody | None = None
    visibility: Visibility | None = None


class MacroApplied(Output):
    macro: MacroRef
    ticket: TicketRead
    comment: CommentRead | None
    changes: dict[str, dict[str, Any]]
