"""Macros: a canned reply and ticket changes applied in one go, through the ticket and comment
services (so events, SLA, automations, notifications and webhooks see every part of it).

A personal macro is its owner's alone; shared ones are seen by the whole workspace and
managed by admins. The reply is checked when the macro is saved (an unknown placeholder is a
422) and rendered for the ticket as it is before the macro's changes, in a preview and an
apply alike, so what an agent previews is what is sent.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events
from ticketdesk.auth.principal import Principal
from ticketdesk.comments import service as comments
from ticketdesk.comments.render import render_markdown
from ticketdesk.comments.schemas import CommentRead, Visibility
from ticketdesk.crud import ensure_found, new_row, refuse_nulls
from ticketdesk.db import utcnow
from ticketdesk.email.offload import run_off_loop
from ticketdesk.errors import Forbidden, NotFound, TransitionNotAllowed, ValidationFailed
from ticketdesk.macros import repository
from ticketdesk.macros.render import PlaceholderError, check_placeholders, render_reply
from ticketdesk.macros.render import custom_fields as reply_fields
from ticketdesk.macros.render import person as reply_person
from ticketdesk.macros.schemas import (
    ASSIGN_ME,
    MacroAction,
    MacroApplied,
    MacroApply,
    MacroCreate,
    MacroPreview,
    MacroRead,
    MacroRef,
    MacroUpdate,
    ReplyPreview,
)
from ticketdesk.models import Macro, Ticket, Workspace
from ticketdesk.pagination import decode_cursor, keyset_page
from ticketdesk.schemas import Page
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.schemas import TicketRead, TicketUpdate

MAX_PERSONAL_MACROS = 500  # per user
MAX_SHARED_MACROS = 2000  # per workspace
MAX_REPLY = 65_536  # what a comment may hold

# the ticket field each action sets (labels and custom fields are computed from the ticket's)
_FIELDS = {
    "set_status": "status",
    "set_priority": "priority",
    "set_type": "type",
    "set_category": "category",
    "set_team": "team_id",
    "assign": "assignee_id",
    "add_labels": "labels",
    "remove_labels": "labels",
    "set_custom_field": "custom_fields",
}


class MacroNotFound(NotFound):
    title = "Macro not found"


def _name_key(name: str) -> str:
    return name.lower()[:300]


def macro_read(macro: Macro) -> MacroRead:
    return MacroRead.model_validate(macro)


# -- who may do what --------------------------------------------------------------------------


def _check_may_manage(principal: Principal, *, shared: bool) -> None:
    """Shared macros are the admins'; a personal one needs a user to own it."""
    if shared and not principal.has_role("admin"):
        raise Forbidden("Shared macros are managed by admins; save it as your own macro instead.")
    if not shared and principal.user_id is None:
        raise Forbidden("Personal macros belong to users; an API token manages shared ones only.")


async def _find(session: AsyncSession, principal: Principal, macro_id: uuid.UUID) -> Macro:
    """A macro the caller sees (shared, or their own); anyone else's is a 404."""
    found = await repository.find_macro(
        session, principal.workspace_id, principal.user_id, macro_id
    )
    return ensure_found(found, "No such macro.", MacroNotFound)


# -- write-time checks ------------------------------------------------------------------------


async def _check_body(body: str | None) -> None:
    if body is None:
        return
    try:
        await run_off_loop(check_placeholders, body)  # bounded CPU work, off the event loop
    except PlaceholderError as exc:
        raise ValidationFailed(str(exc), loc=("body", "body")) from exc


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error.get("loc", ()))
    return f"{where}: {error['msg']}" if where else str(error["msg"])


async def _checked_actions(
    session: AsyncSession, workspace_id: uuid.UUID, actions: list[MacroAction]
) -> list[dict[str, Any]]:
    """The actions as stored: each checked as a ticket change would be (names, labels, values)
    and against this workspace's statuses, teams and agents."""
    stored: list[dict[str, Any]] = []
    for index, action in enumerate(actions):
        loc = ("body", "actions", index, "value")
        kind, value = action.type, action.value
        try:
            if kind == "set_status":
                TicketUpdate.model_validate({"status": value})
                await tickets.resolve_status(session, workspace_id, value)
            elif kind == "set_team" and value is not None:
                team = await tickets.check_team(session, workspace_id, uuid.UUID(str(value)))
                value = str(team.id)
            elif kind == "assign" and value not in (None, ASSIGN_ME):
                user = await tickets.check_assignee(session, workspace_id, uuid.UUID(str(value)))
                value = str(user.id)
            elif kind in ("add_labels", "remove_labels"):
                value = TicketUpdate.model_validate({"labels": value}).labels
            elif kind in ("set_priority", "set_type", "set_category"):
                TicketUpdate.model_validate({_FIELDS[kind]: value})
            elif kind == "set_custom_field":
                TicketUpdate.model_validate({"custom_fields": {value["key"]: value["value"]}})
        except ValidationFailed as exc:
            raise ValidationFailed(exc.detail, loc=loc) from exc
        except ValidationError as exc:
            raise ValidationFailed(_first_error(exc), loc=loc) from exc
        stored.append({"type": kind, "value": value})
    return stored


def _check_not_empty(body: str | None, actions: list[dict[str, Any]]) -> None:
    if body is None and not actions:
        raise ValidationFailed("A macro needs a reply (`body`) or `actions`.", loc=("body",))


async def _check_room(
    session: AsyncSession, principal: Principal, *, shared: bool, owner_id: uuid.UUID | None
) -> None:
    limit = MAX_SHARED_MACROS if shared else MAX_PERSONAL_MACROS
    if await repository.count_owned(session, principal.workspace_id, owner_id) >= limit:
        whose = "this workspace has" if shared else "you have"
        raise ValidationFailed(f"At most {limit} macros; {whose} that many already.")


# -- the list and its changes -----------------------------------------------------------------


async def list_macros(
    session: AsyncSession, principal: Principal, *, q: str | None, limit: int, cursor: str | None
) -> Page[MacroRead]:
    """Shared macros and the caller's own, by name; `q` narrows to names containing it."""
    after = None
    if cursor:
        name_key, last_id = decode_cursor(cursor, 2)
        if not isinstance(name_key, str) or not isinstance(last_id, uuid.UUID):
            raise ValidationFailed(
                "The cursor is not valid; use `next_cursor` from a previous page.",
                loc=("query", "cursor"),
            )
        after = (name_key, last_id)
    needle = q.strip().lower() if q else None
    rows = await repository.visible_macros(
        session,
        principal.workspace_id,
        principal.user_id,
        name_contains=needle or None,
        after=after,
        limit=limit + 1,
    )
    page, next_cursor = keyset_page(rows, limit, lambda m: [m.name_key, m.id])
    return Page[MacroRead](items=[macro_read(m) for m in page], next_cursor=next_cursor)


async def get_macro(session: AsyncSession, principal: Principal, macro_id: uuid.UUID) -> MacroRead:
    return macro_read(await _find(session, principal, macro_id))


async def create_macro(session: AsyncSession, principal: Principal, data: MacroCreate) -> MacroRead:
    _check_may_manage(principal, shared=data.shared)
    await _check_body(data.body)
    actions = await _checked_actions(session, principal.workspace_id, data.actions)
    _check_not_empty(data.body, actions)
    owner_id = None if data.shared else principal.user_id
    await _check_room(session, principal, shared=data.shared, owner_id=owner_id)
    macro = Macro(
        **new_row(principal.workspace_id),
        owner_id=owner_id,
        name=data.name,
        name_key=_name_key(data.name),
        body=data.body,
        visibility=data.visibility,
        actions=actions,
    )
    repository.add(session, macro)
    await session.flush()
    return macro_read(macro)


async def update_macro(
    session: AsyncSession, principal: Principal, macro_id: uuid.UUID, data: MacroUpdate
) -> MacroRead:
    macro = await _find(session, principal, macro_id)
    _check_may_manage(principal, shared=macro.shared)
    refuse_nulls(data, ("name", "visibility", "actions", "shared"))
    fields = data.model_fields_set
    if data.shared is not None and data.shared != macro.shared:
        _check_may_manage(principal, shared=data.shared)  # sharing, or taking back: admins
        owner_id = None if data.shared else principal.user_id
        await _check_room(session, principal, shared=data.shared, owner_id=owner_id)
        macro.owner_id = owner_id
    if "body" in fields:
        await _check_body(data.body)
        macro.body = data.body
    if data.actions is not None:
        macro.actions = await _checked_actions(session, principal.workspace_id, data.actions)
    _check_not_empty(macro.body, macro.actions)
    if data.name is not None:
        macro.name, macro.name_key = data.name, _name_key(data.name)
    if data.visibility is not None:
        macro.visibility = data.visibility
    macro.updated_at = utcnow()
    await session.flush()
    return macro_read(macro)


async def delete_macro(session: AsyncSession, principal: Principal, macro_id: uuid.UUID) -> None:
    macro = await _find(session, principal, macro_id)
    _check_may_manage(principal, shared=macro.shared)
    await repository.delete(session, macro)
    await session.flush()


# -- using a macro on a ticket ----------------------------------------------------------------


def _refuse_merged(ticket: Ticket) -> None:
    if ticket.merged_into_id is not None:
        raise TransitionNotAllowed(
            "This ticket was merged into another; apply the macro to that ticket instead."
        )


async def _reply_context(
    session: AsyncSession, principal: Principal, workspace: Workspace, current: TicketRead
) -> dict[str, Any]:
    """What the reply's placeholders name, for this ticket as it is now."""
    statuses = await tickets.workspace_statuses(session, workspace.id)
    label = next((s.label for s in statuses if s.name == current.status), current.status)
    requester = current.requester
    requester_values = reply_person(requester.name, requester.email) if requester else None
    assignee = current.assignee
    return {
        "ticket": {
            "key": current.key,
            "number": current.number,
            "subject": current.subject,
            "description": current.description,
            "status": current.status,
            "status_label": label,
            "status_category": current.status_category,
            "priority": current.priority,
            "type": current.type or "",
            "category": current.category or "",
            "channel": current.channel,
            "labels": list(current.labels),
            "custom_fields": reply_fields(current.custom_fields),
            "requester": requester_values or reply_person(None, None),
            "assignee": reply_person(assignee.name, assignee.email)
            if assignee
            else reply_person(None, None),
            "team": {"name": current.team.name if current.team else ""},
        },
        "requester": requester_values or reply_person(None, None),
        "agent": reply_person(principal.name, principal.email),
        "workspace": {"name": workspace.name},
    }


async def _reply(
    session: AsyncSession,
    principal: Principal,
    workspace: Workspace,
    macro: Macro,
    current: TicketRead,
    edited: MacroApply | None,
) -> tuple[str, Visibility] | None:
    """The reply's (body, visibility): the agent's edit, else the macro's body rendered for
    this ticket; None when there is no reply (no body, or one that renders blank)."""
    visibility = (edited.visibility if edited else None) or cast(Visibility, macro.visibility)
    if edited is not None and edited.body is not None:
        return edited.body, visibility
    if macro.body is None:
        return None
    context = await _reply_context(session, principal, workspace, current)
    try:
        body = await run_off_loop(render_reply, macro.body, context)
    except PlaceholderError as exc:
        raise ValidationFailed(f"The macro's reply does not render: {exc}") from exc
    if len(body) > MAX_REPLY:
        raise ValidationFailed(f"The macro's reply renders longer than {MAX_REPLY} characters.")
    return (body, visibility) if body.strip() else None


async def _planned_update(
    session: AsyncSession,
    principal: Principal,
    workspace: Workspace,
    ticket: Ticket,
    macro: Macro,
    current: TicketRead,
) -> TicketUpdate | None:
    """The macro's actions as one ticket change, checked as a PATCH would be (a status, team or
    agent removed since the macro was saved is a 422 now); None when it has no actions."""
    values: dict[str, Any] = {}
    labels: list[str] = list(current.labels)
    fields: dict[str, Any] = dict(ticket.custom_fields or {})
    for action in macro.actions:
        kind: str = action["type"]
        value: Any = action.get("value")
        if kind in ("add_labels", "remove_labels"):
            names = {str(v).strip().lower() for v in value}
            labels = (
                sorted(set(labels) | names)
                if kind == "add_labels"
                else [n for n in labels if n not in names]
            )
            value = labels
        elif kind == "set_custom_field":
            fields[value["key"]] = value["value"]
            value = dict(fields)
        elif kind == "assign" and value == ASSIGN_ME:
            if principal.user_id is None:
                raise ValidationFailed(
                    "This macro assigns the ticket to whoever applies it; an API token is "
                    "nobody to assign to.",
                    loc=("body",),
                )
            value = principal.user_id
        values[_FIELDS[kind]] = value
    if not values:
        return None
    try:
        update = TicketUpdate.model_validate(values)
    except ValidationError as exc:
        raise ValidationFailed(f"The macro's actions are invalid: {_first_error(exc)}") from exc
    try:
        if update.status is not None:
            await tickets.resolve_status(session, workspace.id, update.status)
        if update.assignee_id is not None:
            await tickets.check_assignee(session, workspace.id, update.assignee_id)
        if update.team_id is not None:
            await tickets.check_team(session, workspace.id, update.team_id)
    except ValidationFailed as exc:
        raise ValidationFailed(f"The macro's actions no longer apply: {exc.detail}") from exc
    return update


def _ref(obj: Any) -> dict[str, Any] | None:
    return {"id": obj.id, "name": obj.name} if obj is not None else None


def _with_label_moves(changes: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The changes as the API shows them: labels also say which were added and removed."""
    shown = dict(events.jsonable(changes))
    labels = shown.get("labels")
    if labels is not None:
        before, after = set(labels["from"]), set(labels["to"])
        shown["labels"] = {
            **labels,
            "added": sorted(after - before),
            "removed": sorted(before - after),
        }
    return shown


async def _would_change(
    session: AsyncSession, workspace: Workspace, current: TicketRead, update: TicketUpdate | None
) -> dict[str, dict[str, Any]]:
    """What `update` would change on the ticket, as `update_ticket` would report it."""
    if update is None:
        return {}
    changes: dict[str, dict[str, Any]] = {}
    fields = update.model_fields_set
    for name in ("type", "category", "priority", "custom_fields"):
        if name in fields and getattr(update, name) != getattr(current, name):
            changes[name] = {"from": getattr(current, name), "to": getattr(update, name)}
    if update.status is not None and update.status != current.status:
        changes["status"] = {"from": current.status, "to": update.status}
    current_assignee = current.assignee.id if current.assignee else None
    if "assignee_id" in fields and update.assignee_id != current_assignee:
        new_user = (
            await tickets.check_assignee(session, workspace.id, update.assignee_id)
            if update.assignee_id
            else None
        )
        changes["assignee"] = {"from": _ref(current.assignee), "to": _ref(new_user)}
    current_team = current.team.id if current.team else None
    if "team_id" in fields and update.team_id != current_team:
        new_team = (
            await tickets.check_team(session, workspace.id, update.team_id)
            if update.team_id
            else None
        )
        changes["team"] = {"from": _ref(current.team), "to": _ref(new_team)}
    if update.labels is not None and sorted(set(update.labels)) != sorted(current.labels):
        changes["labels"] = {"from": sorted(current.labels), "to": sorted(set(update.labels))}
    return _with_label_moves(changes)


async def preview_macro(
    session: AsyncSession,
    principal: Principal,
    workspace: Workspace,
    ticket: Ticket,
    macro_id: uuid.UUID,
) -> MacroPreview:
    """The reply rendered for this ticket and the changes the macro would make; writes nothing."""
    macro = await _find(session, principal, macro_id)
    _refuse_merged(ticket)
    current = await tickets.ticket_read(session, workspace, ticket)
    reply = await _reply(session, principal, workspace, macro, current, None)
    update = await _planned_update(session, principal, workspace, ticket, macro, current)
    return MacroPreview(
        macro=MacroRef(id=macro.id, name=macro.name),
        comment=ReplyPreview(
            body=reply[0],
            body_html=render_markdown(reply[0]),
            visibility=reply[1],
        )
        if reply
        else None,
        changes=await _would_change(session, workspace, current, update),
    )


async def apply_macro(
    session: AsyncSession,
    principal: Principal,
    workspace: Workspace,
    ticket: Ticket,
    macro_id: uuid.UUID,
    edited: MacroApply | None,
    *,
    if_match: str | None,
) -> MacroApplied:
    """The macro's changes, then its reply, in the caller's transaction: all of it or nothing.
    One `ticket.macro_applied` event names the macro; each change writes its own event too."""
    macro = await _find(session, principal, macro_id)
    tickets.check_if_match(ticket, if_match)
    _refuse_merged(ticket)
    current = await tickets.ticket_read(session, workspace, ticket)
    reply = await _reply(session, principal, workspace, macro, current, edited)
    update = await _planned_update(session, principal, workspace, ticket, macro, current)
    actor = principal.actor()
    changes: dict[str, dict[str, Any]] = {}
    if update is not None:
        change = await tickets.update_ticket(session, workspace, ticket, update, actor=actor)
        changes = _with_label_moves(change.changes)
    comment = None
    if reply is not None:
        comment = await comments.add_comment(
            session, workspace, ticket, body=reply[0], visibility=reply[1], actor=actor
        )
    events.record_ticket_event(
        session,
        ticket,
        "ticket.macro_applied",
        actor,
        {
            "ticket": tickets.ticket_key(workspace, ticket),
            "macro": {"id": macro.id, "name": macro.name},
            "comment_id": comment.id if comment else None,
            "visibility": comment.visibility if comment else None,
            "changed": sorted(changes),
        },
    )
    await session.flush()
    return MacroApplied(
        macro=MacroRef(id=macro.id, name=macro.name),
        ticket=await tickets.ticket_read(session, workspace, ticket),
        comment=CommentRead.from_comment(comment) if comment else None,
        changes=changes,
    )
