"""Apply rule actions to a ticket through the ticket and comment services (so every change
writes its event, with the rule as the system actor)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events, jobs
from ticketdesk.automations import repository
from ticketdesk.comments import service as comments
from ticketdesk.csat import service as csat
from ticketdesk.errors import ValidationFailed
from ticketdesk.models import Ticket, Workspace
from ticketdesk.notifications.service import notify
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.schemas import TicketUpdate

log = logging.getLogger(__name__)

EMAIL_JOB = "email.send_template"
WORKING_CATEGORIES = ("open", "pending")


def rule_actor(name: str) -> events.Actor:
    return events.system_actor(name)


async def apply_actions(
    session: AsyncSession,
    workspace: Workspace,
    ticket: Ticket,
    actions: list[dict[str, Any]],
    *,
    actor: events.Actor,
) -> tickets.TicketChange | None:
    """Field changes go through one update_ticket call; notes, emails and notices follow it."""
    update: dict[str, Any] = {}
    labels: list[str] | None = None
    custom: dict[str, Any] | None = None
    followups: list[dict[str, Any]] = []
    for action in actions:
        kind: str = action["type"]
        value: Any = action.get("value")
        if kind in ("set_status", "set_priority", "set_type", "set_category"):
            update[kind.removeprefix("set_")] = value
        elif kind == "set_team":
            update["team_id"] = uuid.UUID(str(value)) if value else None
        elif kind == "assign":
            team_id = update.get("team_id", ticket.team_id)
            update["assignee_id"] = await pick_assignee(session, workspace, value, team_id)
        elif kind in ("add_labels", "remove_labels"):
            if labels is None:
                labels = sorted(await tickets.ticket_labels(session, ticket.id))
            names = [str(v).strip().lower() for v in value]
            if kind == "add_labels":
                labels = sorted(set(labels) | set(names))
            else:
                labels = [label for label in labels if label not in names]
            update["labels"] = labels
        elif kind == "set_custom_field":
            # merged into the ticket's and checked against the definitions by update_ticket
            custom = dict(custom or {})
            custom[value["key"]] = value["value"]
            update["custom_fields"] = custom
        else:
            followups.append(action)
    change = None
    if update:
        try:
            data = TicketUpdate.model_validate(update)
        except ValueError as exc:
            raise ValidationFailed(f"the rule's actions are invalid: {exc}") from exc
        change = await tickets.update_ticket(session, workspace, ticket, data, actor=actor)
    for action in followups:
        await _follow_up(session, workspace, ticket, action, actor)
    return change


async def _follow_up(
    session: AsyncSession,
    workspace: Workspace,
    ticket: Ticket,
    action: dict[str, Any],
    actor: events.Actor,
) -> None:
    kind, value = action["type"], action.get("value")
    if kind == "send_survey":
        await csat.send_survey_now(session, workspace, ticket)
        return
    assert value is not None
    if kind == "add_comment":
        body = value if isinstance(value, str) else value["body"]
        visibility = "internal" if isinstance(value, str) else value.get("visibility", "internal")
        await comments.add_comment(
            session, workspace, ticket, body=body, visibility=visibility, actor=actor
        )
    elif kind == "send_email":
        send_template_email(
            session, workspace, ticket, value["template"], to=value.get("to", "requester")
        )
    elif kind == "notify":
        targets = value if isinstance(value, list) else [value]
        user_ids = await recipients(session, ticket, targets)
        await notify(
            session,
            workspace_id=workspace.id,
            user_ids=user_ids,
            kind="automation",
            data={"ticket": tickets.ticket_key(workspace, ticket), "rule": actor.name},
            ticket_id=ticket.id,
        )


def send_template_email(
    session: AsyncSession, workspace: Workspace, ticket: Ticket, template: str, *, to: str
) -> bool:
    """Queue the email room's templated send; skipped (logged) while that job is missing."""
    if EMAIL_JOB not in jobs.JOBS:
        log.info(
            "no %s job registered; email %r for ticket %s skipped", EMAIL_JOB, template, ticket.id
        )
        return False
    jobs.enqueue_after_commit(
        session,
        EMAIL_JOB,
        workspace_id=str(workspace.id),
        ticket_id=str(ticket.id),
        template=template,
        to=to,
    )
    return True


async def recipients(session: AsyncSession, ticket: Ticket, targets: list[Any]) -> set[uuid.UUID]:
    """User ids for `assignee`, `team` (its members) and explicit ids."""
    ids: set[uuid.UUID] = set()
    for target in targets:
        if target == "assignee":
            if ticket.assignee_id:
                ids.add(ticket.assignee_id)
        elif target == "team":
            if ticket.team_id:
                ids.update(await repository.team_member_ids(session, ticket.team_id))
        else:
            ids.add(uuid.UUID(str(target)))
    return ids


async def pick_assignee(
    session: AsyncSession, workspace: Workspace, how: Any, team_id: uuid.UUID | None
) -> uuid.UUID | None:
    """A user id, or the next agent by round robin / the least-loaded agent of the team."""
    if how is None:
        return None
    if how not in ("round_robin", "least_loaded"):
        return uuid.UUID(str(how))
    candidates = await repository.assignable_agents(session, workspace.id, team_id)
    if not candidates:
        raise ValidationFailed("No active agent to assign to (the team has no active members).")
    if how == "least_loaded":
        loads = await repository.open_loads(session, workspace.id, candidates, WORKING_CATEGORIES)
        return min(candidates, key=lambda user_id: (loads.get(user_id, 0), str(user_id)))
    scope = str(team_id) if team_id else "*"
    cursor = await repository.locked_cursor(session, workspace.id, scope)
    last = str(cursor.last_user_id) if cursor.last_user_id else ""
    ordered = sorted(candidates, key=str)
    chosen = next((c for c in ordered if str(c) > last), ordered[0])
    cursor.last_user_id = chosen
    return chosen
