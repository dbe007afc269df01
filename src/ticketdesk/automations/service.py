"""Automation rules: evaluated in the transaction of the change that fires them, or every
minute for `schedule` rules; the auto-assign settings (kept as managed rules) and the
built-in auto-close of tickets waiting on the customer.

Loop protection: while rules run, `context(session).automations_running` is set, so the
changes a rule makes never fire rules again in the same change chain. A rule that fails is
rolled back to its savepoint, logged as a `ticket.automation_failed` event, and skipped.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events
from ticketdesk.automations import actions as rule_actions
from ticketdesk.automations import repository
from ticketdesk.automations.conditions import ConditionError, Facts, matches
from ticketdesk.automations.references import check_references
from ticketdesk.automations.schemas import (
    AutoAssignRead,
    AutoAssignSettings,
    AutoCloseRead,
    AutoCloseSettings,
    AutomationCreate,
    AutomationRead,
    AutomationUpdate,
)
from ticketdesk.comments import service as comments
from ticketdesk.context import context
from ticketdesk.crud import ensure_found, new_row, next_position, set_values
from ticketdesk.db import Database, utcnow
from ticketdesk.errors import TicketdeskError
from ticketdesk.models import Automation, Ticket, Workspace
from ticketdesk.tickets import service as tickets
from ticketdesk.triage import service as triage

log = logging.getLogger(__name__)

SCHEDULE_BATCH = 500


# -- rules ---------------------------------------------------------------------------------


async def create_rule(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    data: AutomationCreate,
    managed_by: str | None = None,
) -> Automation:
    """A new rule, last unless given a position; what it names must exist in the workspace."""
    actions = [a.model_dump() for a in data.actions]
    conditions = data.conditions.model_dump()
    await check_references(session, workspace_id, actions=actions, conditions=conditions)
    last = await repository.last_position(session, workspace_id)
    position = next_position(data.position, last, cap=None)
    rule = Automation(
        **new_row(workspace_id),
        name=data.name,
        trigger=data.trigger,
        conditions=conditions,
        actions=actions,
        active=data.active,
        position=position,
        managed_by=managed_by,
    )
    repository.add(session, rule)
    await session.flush()
    return rule


async def get_rule(
    session: AsyncSession, workspace_id: uuid.UUID, rule_id: uuid.UUID
) -> Automation:
    rule = await repository.find_rule(session, workspace_id, rule_id)
    return ensure_found(rule, "No such automation in this workspace.")


async def list_rules(session: AsyncSession, workspace_id: uuid.UUID) -> Sequence[Automation]:
    return await repository.list_rules(session, workspace_id)


async def update_rule(
    session: AsyncSession, rule: Automation, data: AutomationUpdate
) -> Automation:
    simple = data.model_dump(include={"name", "trigger", "active", "position"}, exclude_none=True)
    conditions = data.conditions.model_dump() if data.conditions is not None else None
    actions = [a.model_dump() for a in data.actions] if data.actions is not None else None
    await check_references(session, rule.workspace_id, actions=actions, conditions=conditions)
    set_values(rule, simple)
    if conditions is not None:
        rule.conditions = conditions
    if actions is not None:
        rule.actions = actions
    rule.updated_at = utcnow()
    await session.flush()
    return rule


async def delete_rule(session: AsyncSession, workspace_id: uuid.UUID, rule_id: uuid.UUID) -> None:
    await repository.delete(session, await get_rule(session, workspace_id, rule_id))
    await session.flush()


async def create_automation(
    session: AsyncSession, workspace_id: uuid.UUID, data: AutomationCreate
) -> AutomationRead:
    return AutomationRead.model_validate(await create_rule(session, workspace_id, data))


async def list_automations(session: AsyncSession, workspace_id: uuid.UUID) -> list[AutomationRead]:
    return [AutomationRead.model_validate(r) for r in await list_rules(session, workspace_id)]


async def get_automation(
    session: AsyncSession, workspace_id: uuid.UUID, rule_id: uuid.UUID
) -> AutomationRead:
    return AutomationRead.model_validate(await get_rule(session, workspace_id, rule_id))


async def update_automation(
    session: AsyncSession, workspace_id: uuid.UUID, rule_id: uuid.UUID, data: AutomationUpdate
) -> AutomationRead:
    rule = await get_rule(session, workspace_id, rule_id)
    return AutomationRead.model_validate(await update_rule(session, rule, data))


async def active_rules(
    session: AsyncSession, workspace_id: uuid.UUID, trigger: str
) -> Sequence[Automation]:
    return await repository.active_rules(session, workspace_id, trigger)


# -- evaluation ----------------------------------------------------------------------------


def fields_used(rules: Sequence[Automation]) -> set[str]:
    """Every field the rules' conditions look at (to load only what they need)."""
    used: set[str] = set()

    def walk(node: dict[str, Any]) -> None:
        for item in (node.get("all") or []) + (node.get("any") or []):
            if "all" in item or "any" in item:
                walk(item)
            else:
                used.add(str(item.get("field")))

    for rule in rules:
        walk(rule.conditions or {})
    return used


async def facts_of(
    session: AsyncSession, ticket: Ticket, now: datetime, needs: set[str] | None = None
) -> Facts:
    """The ticket's facts; labels and the requester are queried only when a rule needs them."""
    labels: list[str] = []
    if needs is None or "labels" in needs:
        labels = sorted(await tickets.ticket_labels(session, ticket.id))
    email = None
    wants_email = needs is None or bool({"requester_email", "requester_domain"} & needs)
    if wants_email and ticket.requester_id is not None:
        email = await repository.requester_email(session, ticket.requester_id)
    return Facts(
        subject=ticket.subject,
        description=ticket.description,
        requester_email=email,
        channel=ticket.channel,
        status=ticket.status,
        status_category=ticket.status_category,
        priority=ticket.priority,
        type=ticket.type,
        category=ticket.category,
        labels=list(labels),
        assignee=ticket.assignee_id,
        team=ticket.team_id,
        custom_fields=dict(ticket.custom_fields or {}),
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        status_changed_at=ticket.status_changed_at,
        now=now,
        triage=await triage.triage_facts(session, ticket.workspace_id, ticket)
        if needs is None or any(name.startswith("triage.") for name in needs)
        else {},
    )


async def run_rules(
    session: AsyncSession,
    workspace: Workspace,
    ticket: Ticket,
    rules: Sequence[Automation],
    *,
    now: datetime,
) -> list[str]:
    """Run the rules in order on one ticket; returns the names of those that fired."""
    fired: list[str] = []
    facts: Facts | None = None
    needs = fields_used(rules)
    context(session).automations_running = True
    try:
        for rule in rules:
            if facts is None:
                facts = await facts_of(session, ticket, now, needs)
            if await _run_rule(session, workspace, ticket, rule, facts):
                fired.append(rule.name)
                facts = None  # later rules see what this one changed
    finally:
        context(session).automations_running = False
    return fired


async def _run_rule(
    session: AsyncSession, workspace: Workspace, ticket: Ticket, rule: Automation, facts: Facts
) -> bool:
    ctx = context(session)
    saved_events, saved_callbacks = len(ctx.new_events), len(ctx.after_commit)
    try:
        if not matches(rule.conditions or {}, facts):
            return False  # most rules: decided without touching the database
        async with session.begin_nested():
            await rule_actions.apply_actions(
                session, workspace, ticket, rule.actions, actor=rule_actions.rule_actor(rule.name)
            )
        return True
    except (ConditionError, Exception) as exc:  # a broken rule never blocks the change
        del ctx.new_events[saved_events:]  # the rolled-back rule announces nothing
        del ctx.after_commit[saved_callbacks:]
        # the savepoint's rollback expired what the rule changed: reload before reading it
        await repository.refresh(session, ticket)
        log.warning("automation %s failed on ticket %s: %s", rule.id, ticket.id, exc)
        failure = {
            "ticket": tickets.ticket_key(workspace, ticket),
            "automation_id": rule.id,
            "error": str(getattr(exc, "detail", None) or exc)[:500],
        }
        actor = rule_actions.rule_actor(rule.name)
        events.record_ticket_event(session, ticket, "ticket.automation_failed", actor, failure)
        return False


async def on_ticket_change(session: AsyncSession, change: tickets.TicketChange) -> None:
    """Observer: run `ticket.created` / `ticket.updated` rules in the same transaction."""
    if context(session).automations_running:
        return  # a rule's own change: never re-trigger rules (no loops)
    trigger = "ticket.created" if change.created else "ticket.updated"
    rules = await active_rules(session, change.workspace.id, trigger)
    if rules:
        await run_rules(session, change.workspace, change.ticket, rules, now=utcnow())


async def check_action_references(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    actions: Sequence[dict[str, Any]],
    *,
    loc: tuple[str | int, ...],
) -> None:
    """Refuse rule actions used outside a rule (SLA escalations) that name a status, user,
    team or template this workspace does not have: a 422 at `loc + (index, "value")`."""
    await check_references(session, workspace_id, actions=actions, actions_loc=loc)


async def apply_actions_as(
    session: AsyncSession,
    workspace: Workspace,
    ticket: Ticket,
    actions: list[dict[str, Any]],
    *,
    actor_name: str,
) -> None:
    """Apply rule actions outside a rule (SLA escalations), as the named system actor; the
    caller owns the savepoint and decides what a failure means."""
    await rule_actions.apply_actions(
        session, workspace, ticket, actions, actor=rule_actions.rule_actor(actor_name)
    )


# -- schedule rules (every minute, in the worker) -------------------------------------------


async def run_schedule_rule(session: AsyncSession, rule: Automation, *, now: datetime) -> int:
    """Fire one schedule rule on the tickets it matches (once per ticket until it changes)."""
    workspace = await repository.workspace(session, rule.workspace_id)
    if workspace is None:
        return 0
    candidates = await repository.schedule_candidates(session, rule, now, SCHEDULE_BATCH)
    fired = 0
    context(session).automations_running = True
    try:
        needs = fields_used([rule])
        for ticket in candidates:
            facts = await facts_of(session, ticket, now, needs)
            if await _run_rule(session, workspace, ticket, rule, facts):
                fired += 1
                await session.flush()
                await repository.record_firing(session, rule.id, ticket, now)
    finally:
        context(session).automations_running = False
    return fired


async def run_schedule(db: Database, *, now: datetime | None = None) -> int:
    """Every active schedule rule, each in its own transaction."""
    now = now or utcnow()
    async with db.unit_of_work() as session:
        rule_ids = await repository.schedule_rule_ids(session)
    total = 0
    for rule_id in rule_ids:
        async with db.unit_of_work() as session:
            rule = await repository.rule_by_id(session, rule_id)
            if rule is not None and rule.active:
                total += await run_schedule_rule(session, rule, now=now)
    return total


# -- auto-assignment settings (managed automations) ----------------------------------------


def auto_assign_rule(index: int, rule: dict[str, Any]) -> AutomationCreate:
    """One settings entry as a `ticket.created` automation."""
    any_of: list[dict[str, Any]] = []
    if rule.get("category"):
        any_of.append({"field": "category", "op": "is", "value": rule["category"]})
    if rule.get("label"):
        any_of.append({"field": "labels", "op": "contains", "value": rule["label"]})
    if rule.get("email_domain"):
        any_of.append(
            {"field": "requester_domain", "op": "is", "value": rule["email_domain"].lower()}
        )
    for keyword in rule.get("subject_keywords") or []:
        any_of.append({"field": "subject", "op": "contains", "value": keyword})
    actions: list[dict[str, Any]] = []
    if rule.get("team_id"):
        actions.append({"type": "set_team", "value": str(rule["team_id"])})
    if rule.get("assign"):
        actions.append({"type": "assign", "value": rule["assign"]})
    if rule.get("priority"):
        actions.append({"type": "set_priority", "value": rule["priority"]})
    return AutomationCreate.model_validate(
        {
            "name": f"Auto-assign #{index + 1}",
            "trigger": "ticket.created",
            "conditions": {"all": [{"field": "assignee", "op": "is_empty"}], "any": any_of},
            "actions": actions,
            "position": index,
        }
    )


def auto_assign_settings(workspace: Workspace) -> AutoAssignRead:
    return AutoAssignRead(rules=(workspace.settings or {}).get("auto_assign", []))


async def set_auto_assign(
    session: AsyncSession, workspace: Workspace, data: AutoAssignSettings
) -> AutoAssignRead:
    """Check the teams and agents the entries name, then replace the managed rules."""
    rules = [rule.model_dump(mode="json", exclude_none=True) for rule in data.rules]
    for index, rule in enumerate(rules):
        fields = (("team_id", "set_team"), ("assign", "assign"))
        given = [(name, kind) for name, kind in fields if rule.get(name)]
        await check_references(
            session,
            workspace.id,
            actions=[{"type": kind, "value": rule[name]} for name, kind in given],
            value_locs=[("body", "rules", index, name) for name, _ in given],
        )
    await replace_auto_assign(session, workspace, rules)
    return AutoAssignRead(rules=rules)


async def replace_auto_assign(
    session: AsyncSession, workspace: Workspace, rules: list[dict[str, Any]]
) -> None:
    for old in await repository.managed_rules(session, workspace.id, "auto_assign"):
        await repository.delete(session, old)
    await session.flush()
    for index, rule in enumerate(rules):
        await create_rule(
            session, workspace.id, auto_assign_rule(index, rule), managed_by="auto_assign"
        )
    settings = dict(workspace.settings or {})
    settings["auto_assign"] = rules
    workspace.settings = settings
    await session.flush()


# -- auto-close of tickets waiting on the customer -----------------------------------------

DEFAULT_REMINDER = (
    "We haven't heard back from you for a while. Is there anything else we can help with? "
    "If we don't hear from you, we'll close this ticket in a few days."
)
DEFAULT_CLOSE = (
    "We're closing this ticket since we haven't heard back from you. "
    "Just reply if you still need help and we'll pick it up again. Thank you!"
)
AUTO_CLOSE_ACTOR = rule_actions.rule_actor("Auto-close")


def auto_close_settings(workspace: Workspace) -> AutoCloseRead:
    stored = (workspace.settings or {}).get("auto_close") or {}
    return AutoCloseRead(
        enabled=bool(stored.get("close_after_days")),
        reminder_after_days=stored.get("reminder_after_days"),
        close_after_days=stored.get("close_after_days"),
        reminder_message=stored.get("reminder_message") or DEFAULT_REMINDER,
        close_message=stored.get("close_message") or DEFAULT_CLOSE,
    )


async def set_auto_close(
    session: AsyncSession, workspace: Workspace, data: AutoCloseSettings | None
) -> AutoCloseRead:
    """Store the workspace's auto-close settings; None turns auto-close off."""
    settings = dict(workspace.settings or {})
    if data is None:
        settings.pop("auto_close", None)
    else:
        settings["auto_close"] = data.model_dump(exclude_none=True)
    workspace.settings = settings
    await session.flush()
    return auto_close_settings(workspace)


def reminder_days(config: AutoCloseRead) -> float:
    """When the reminder goes: after `reminder_after_days`, else one day before the close
    (half way through a one-day wait)."""
    assert config.close_after_days is not None
    if config.reminder_after_days is not None:
        return float(config.reminder_after_days)
    return max(config.close_after_days - 1.0, config.close_after_days / 2)


async def run_auto_close(
    db: Database, *, now: datetime | None = None, batch: int = 500
) -> dict[str, int]:
    """Remind, then close, tickets waiting on the customer in every workspace with
    auto-close on. Every ticket is reminded first: one already past the close limit gets its
    reminder now and closes once the time between reminder and close has passed too."""
    now = now or utcnow()
    done = {"reminded": 0, "closed": 0}
    async with db.unit_of_work() as session:
        workspaces = [
            w for w in await repository.all_workspaces(session) if auto_close_settings(w).enabled
        ]
    for workspace in workspaces:
        config = auto_close_settings(workspace)
        async with db.unit_of_work() as session:
            done["reminded"] += await _remind_waiting(session, workspace, config, now, batch)
        async with db.unit_of_work() as session:
            done["closed"] += await _close_waiting(session, workspace, config, now, batch)
    return done


async def _waiting_statuses(session: AsyncSession, workspace_id: uuid.UUID) -> list[str]:
    """The statuses that wait on the customer (`waiting`, and those an admin flagged)."""
    statuses = await tickets.workspace_statuses(session, workspace_id)
    return [status.name for status in statuses if status.waits_on_customer]


async def _remind_waiting(
    session: AsyncSession, workspace: Workspace, config: AutoCloseRead, now: datetime, batch: int
) -> int:
    """Remind the requesters of tickets waiting on them for the reminder time, once per wait."""
    statuses = await _waiting_statuses(session, workspace.id)
    if not statuses:
        return 0
    before = now - timedelta(days=reminder_days(config))
    rows = await repository.tickets_to_remind(session, workspace.id, statuses, before, batch)
    for ticket in rows:
        await comments.add_comment(
            session,
            workspace,
            ticket,
            body=config.reminder_message,
            visibility="public",
            actor=AUTO_CLOSE_ACTOR,
        )
        ticket.auto_close_reminded_at = now
        rule_actions.send_template_email(
            session, workspace, ticket, "auto_close_reminder", to="requester"
        )
    await session.flush()
    return len(rows)


async def _close_waiting(
    session: AsyncSession, workspace: Workspace, config: AutoCloseRead, now: datetime, batch: int
) -> int:
    """Close tickets waiting `close_after_days` whose reminder (in this wait) went out at
    least the time between reminder and close ago, with the close message, in the first
    closed status (none: nothing closes)."""
    assert config.close_after_days is not None
    statuses = await _waiting_statuses(session, workspace.id)
    status = await repository.first_closed_status(session, workspace.id)
    if not statuses or status is None:
        return 0
    rows = await repository.tickets_to_close(
        session,
        workspace.id,
        statuses,
        waiting_since=now - timedelta(days=config.close_after_days),
        reminded_by=now - timedelta(days=config.close_after_days - reminder_days(config)),
        limit=batch,
    )
    closed = 0
    for ticket in rows:
        ctx = context(session)
        saved_events, saved_callbacks = len(ctx.new_events), len(ctx.after_commit)
        try:
            # a ticket whose type's lifecycle refuses the close stays as it is
            async with session.begin_nested():
                await rule_actions.apply_actions(
                    session,
                    workspace,
                    ticket,
                    [
                        {
                            "type": "add_comment",
                            "value": {"body": config.close_message, "visibility": "public"},
                        },
                        {"type": "set_status", "value": status},
                    ],
                    actor=AUTO_CLOSE_ACTOR,
                )
        except TicketdeskError as exc:
            del ctx.new_events[saved_events:]
            del ctx.after_commit[saved_callbacks:]
            await repository.refresh(session, ticket)
            log.info("auto-close skipped ticket %s: %s", ticket.id, exc.detail)
            continue
        rule_actions.send_template_email(
            session, workspace, ticket, "auto_close_closed", to="requester"
        )
        closed += 1
    return closed
