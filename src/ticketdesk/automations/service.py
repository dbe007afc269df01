"""Automation rules: evaluated in the transaction of the change that fires them, or every
minute for `schedule` rules; plus the built-in auto-close of tickets waiting on the customer.

Loop protection: while rules run, `session.info[RUNNING]` is set, so the changes a rule makes
never fire rules again in the same change chain. A rule that fails is rolled back to its
savepoint, logged as a `ticket.automation_failed` event, and skipped.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events
from ticketdesk.automations import actions as rule_actions
from ticketdesk.automations.conditions import ConditionError, Facts, matches
from ticketdesk.automations.schemas import AutomationCreate, AutomationUpdate
from ticketdesk.comments import service as comments
from ticketdesk.config_cache import config_cached
from ticketdesk.db import Database, insert_ignoring_conflicts, new_id, utcnow
from ticketdesk.errors import NotFound
from ticketdesk.models import Automation, AutomationFiring, Contact, Status, Ticket, Workspace
from ticketdesk.tickets import service as tickets

log = logging.getLogger(__name__)

RUNNING = "automations_running"
SCHEDULE_BATCH = 500


# -- rules ---------------------------------------------------------------------------------


async def create_rule(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    data: AutomationCreate,
    managed_by: str | None = None,
) -> Automation:
    now = utcnow()
    position = data.position
    if position is None:
        last = await session.scalar(
            select(Automation.position)
            .where(Automation.workspace_id == workspace_id)
            .order_by(Automation.position.desc())
            .limit(1)
        )
        position = 0 if last is None else last + 1
    rule = Automation(
        id=new_id(),
        workspace_id=workspace_id,
        name=data.name,
        trigger=data.trigger,
        conditions=data.conditions.model_dump(),
        actions=[a.model_dump() for a in data.actions],
        active=data.active,
        position=position,
        managed_by=managed_by,
        created_at=now,
        updated_at=now,
    )
    session.add(rule)
    await session.flush()
    return rule


async def get_rule(
    session: AsyncSession, workspace_id: uuid.UUID, rule_id: uuid.UUID
) -> Automation:
    rule = await session.scalar(
        select(Automation).where(Automation.id == rule_id, Automation.workspace_id == workspace_id)
    )
    if rule is None:
        raise NotFound("No such automation in this workspace.")
    return rule


async def list_rules(session: AsyncSession, workspace_id: uuid.UUID) -> Sequence[Automation]:
    stmt = (
        select(Automation)
        .where(Automation.workspace_id == workspace_id)
        .order_by(Automation.position, Automation.created_at, Automation.id)
    )
    return (await session.scalars(stmt)).all()


async def update_rule(
    session: AsyncSession, rule: Automation, data: AutomationUpdate
) -> Automation:
    fields = data.model_fields_set
    for name in ("name", "trigger", "active", "position"):
        if name in fields and getattr(data, name) is not None:
            setattr(rule, name, getattr(data, name))
    if "conditions" in fields and data.conditions is not None:
        rule.conditions = data.conditions.model_dump()
    if "actions" in fields and data.actions is not None:
        rule.actions = [a.model_dump() for a in data.actions]
    rule.updated_at = utcnow()
    await session.flush()
    return rule


async def active_rules(
    session: AsyncSession, workspace_id: uuid.UUID, trigger: str
) -> Sequence[Automation]:
    async def load() -> Sequence[Automation]:
        stmt = (
            select(Automation)
            .where(
                Automation.workspace_id == workspace_id,
                Automation.trigger == trigger,
                Automation.active.is_(True),
            )
            .order_by(Automation.position, Automation.created_at, Automation.id)
        )
        return (await session.scalars(stmt)).all()

    return await config_cached(session, workspace_id, ("automations", trigger), load)


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
        email = await session.scalar(select(Contact.email).where(Contact.id == ticket.requester_id))
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
    session.info[RUNNING] = True
    try:
        for rule in rules:
            if facts is None:
                facts = await facts_of(session, ticket, now, needs)
            if await _run_rule(session, workspace, ticket, rule, facts):
                fired.append(rule.name)
                facts = None  # later rules see what this one changed
    finally:
        session.info.pop(RUNNING, None)
    return fired


async def _run_rule(
    session: AsyncSession, workspace: Workspace, ticket: Ticket, rule: Automation, facts: Facts
) -> bool:
    saved = {
        key: list(session.info[key])
        for key in ("new_events", "after_commit")
        if key in session.info
    }
    try:
        if not matches(rule.conditions or {}, facts):
            return False  # most rules: decided without touching the database
        async with session.begin_nested():
            await rule_actions.apply_actions(
                session, workspace, ticket, rule.actions, actor=rule_actions.rule_actor(rule.name)
            )
        return True
    except (ConditionError, Exception) as exc:  # a broken rule never blocks the change
        log.warning("automation %s failed on ticket %s: %s", rule.id, ticket.id, exc)
        for key in ("new_events", "after_commit"):
            if key in saved:
                session.info[key] = saved[key]
            else:
                session.info.pop(key, None)
        await session.refresh(ticket)
        events.record(
            session,
            workspace_id=workspace.id,
            ticket_id=ticket.id,
            type="ticket.automation_failed",
            actor=rule_actions.rule_actor(rule.name),
            data={
                "ticket": tickets.ticket_key(workspace, ticket),
                "automation_id": rule.id,
                "error": str(getattr(exc, "detail", None) or exc)[:500],
            },
        )
        return False


async def on_ticket_change(session: AsyncSession, change: tickets.TicketChange) -> None:
    """Observer: run `ticket.created` / `ticket.updated` rules in the same transaction."""
    if session.info.get(RUNNING):
        return  # a rule's own change: never re-trigger rules (no loops)
    trigger = "ticket.created" if change.created else "ticket.updated"
    rules = await active_rules(session, change.workspace.id, trigger)
    if rules:
        await run_rules(session, change.workspace, change.ticket, rules, now=utcnow())


tickets.add_observer(on_ticket_change)


# -- schedule rules (every minute, in the worker) -------------------------------------------

_SQL_CHOICE = {
    "status": Ticket.status,
    "status_category": Ticket.status_category,
    "priority": Ticket.priority,
    "channel": Ticket.channel,
    "type": Ticket.type,
    "category": Ticket.category,
}
_SQL_HOURS = {
    "hours_since_created": Ticket.created_at,
    "hours_since_updated": Ticket.updated_at,
    "hours_in_status": Ticket.status_changed_at,
}


def _sql_condition(item: dict[str, Any], now: datetime) -> Any | None:
    """The SQL form of a simple condition (narrows candidates; Python re-checks them all)."""
    field, op, value = item.get("field"), item.get("op"), item.get("value")
    column = _SQL_CHOICE.get(str(field))
    if column is not None and isinstance(value, str) and op == "is":
        return column == value
    if (
        column is not None
        and op == "in"
        and isinstance(value, list)
        and all(isinstance(v, str) for v in value)
    ):
        return column.in_(value)
    moment = _SQL_HOURS.get(str(field))
    if moment is not None and isinstance(value, int | float) and abs(value) < 1e6:
        cutoff = now - timedelta(hours=float(value))
        # hours since X >= v  <=>  X <= now - v
        return {
            "gt": moment < cutoff,
            "gte": moment <= cutoff,
            "lt": moment > cutoff,
            "lte": moment >= cutoff,
        }.get(str(op))
    return None


async def run_schedule_rule(session: AsyncSession, rule: Automation, *, now: datetime) -> int:
    """Fire one schedule rule on the tickets it matches (once per ticket until it changes)."""
    workspace = await session.get(Workspace, rule.workspace_id)
    if workspace is None:
        return 0
    already = exists().where(
        AutomationFiring.automation_id == rule.id,
        AutomationFiring.ticket_id == Ticket.id,
        AutomationFiring.ticket_updated_at >= Ticket.updated_at,
    )
    stmt = select(Ticket).where(
        Ticket.workspace_id == rule.workspace_id,
        Ticket.merged_into_id.is_(None),
        ~already,
    )
    narrowed = [
        c
        for c in (_sql_condition(i, now) for i in (rule.conditions or {}).get("all", []))
        if c is not None
    ]
    if narrowed:
        stmt = stmt.where(and_(*narrowed))
    else:
        stmt = stmt.where(Ticket.status_category != "closed")
    candidates = (
        await session.scalars(stmt.order_by(Ticket.updated_at).limit(SCHEDULE_BATCH))
    ).all()
    fired = 0
    session.info[RUNNING] = True
    try:
        needs = fields_used([rule])
        for ticket in candidates:
            facts = await facts_of(session, ticket, now, needs)
            if await _run_rule(session, workspace, ticket, rule, facts):
                fired += 1
                await session.flush()
                await insert_ignoring_conflicts(
                    session,
                    AutomationFiring,
                    [
                        {
                            "automation_id": rule.id,
                            "ticket_id": ticket.id,
                            "ticket_updated_at": ticket.updated_at,
                            "fired_at": now,
                        }
                    ],
                    ["automation_id", "ticket_id"],
                )
                await session.execute(
                    update(AutomationFiring)
                    .where(
                        AutomationFiring.automation_id == rule.id,
                        AutomationFiring.ticket_id == ticket.id,
                    )
                    .values(ticket_updated_at=ticket.updated_at, fired_at=now)
                )
    finally:
        session.info.pop(RUNNING, None)
    return fired


async def run_schedule(db: Database, *, now: datetime | None = None) -> int:
    """Every active schedule rule, each in its own transaction."""
    now = now or utcnow()
    async with db.unit_of_work() as session:
        rule_ids = list(
            await session.scalars(
                select(Automation.id)
                .where(Automation.trigger == "schedule", Automation.active.is_(True))
                .order_by(Automation.workspace_id, Automation.position, Automation.id)
            )
        )
    total = 0
    for rule_id in rule_ids:
        async with db.unit_of_work() as session:
            rule = await session.get(Automation, rule_id)
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


async def replace_auto_assign(
    session: AsyncSession, workspace: Workspace, rules: list[dict[str, Any]]
) -> None:
    existing = await session.scalars(
        select(Automation).where(
            Automation.workspace_id == workspace.id, Automation.managed_by == "auto_assign"
        )
    )
    for old in existing:
        await session.delete(old)
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


def auto_close_settings(workspace: Workspace) -> dict[str, Any]:
    stored = (workspace.settings or {}).get("auto_close") or {}
    return {
        "enabled": bool(stored.get("close_after_days")),
        "reminder_after_days": stored.get("reminder_after_days"),
        "close_after_days": stored.get("close_after_days"),
        "reminder_message": stored.get("reminder_message") or DEFAULT_REMINDER,
        "close_message": stored.get("close_message") or DEFAULT_CLOSE,
    }


async def run_auto_close(
    db: Database, *, now: datetime | None = None, batch: int = 500
) -> dict[str, int]:
    """Remind, then close, pending tickets of every workspace with auto-close on."""
    now = now or utcnow()
    done = {"reminded": 0, "closed": 0}
    async with db.unit_of_work() as session:
        workspaces = [
            w for w in await session.scalars(select(Workspace)) if auto_close_settings(w)["enabled"]
        ]
    for workspace in workspaces:
        config = auto_close_settings(workspace)
        async with db.unit_of_work() as session:
            done["closed"] += await _close_waiting(session, workspace, config, now, batch)
        if config["reminder_after_days"]:
            async with db.unit_of_work() as session:
                done["reminded"] += await _remind_waiting(session, workspace, config, now, batch)
    return done


async def _waiting(
    session: AsyncSession, workspace: Workspace, before: datetime, extra: Any, batch: int
) -> Sequence[Ticket]:
    stmt = (
        select(Ticket)
        .where(
            Ticket.workspace_id == workspace.id,
            Ticket.status_category == "pending",
            Ticket.status_changed_at <= before,
            Ticket.merged_into_id.is_(None),
            extra,
        )
        .order_by(Ticket.status_changed_at)
        .limit(batch)
    )
    return (await session.scalars(stmt)).all()


async def _remind_waiting(
    session: AsyncSession, workspace: Workspace, config: dict[str, Any], now: datetime, batch: int
) -> int:
    before = now - timedelta(days=config["reminder_after_days"])
    not_reminded = or_(
        Ticket.auto_close_reminded_at.is_(None),
        Ticket.auto_close_reminded_at < Ticket.status_changed_at,
    )
    rows = await _waiting(session, workspace, before, not_reminded, batch)
    for ticket in rows:
        await comments.add_comment(
            session,
            workspace,
            ticket,
            body=config["reminder_message"],
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
    session: AsyncSession, workspace: Workspace, config: dict[str, Any], now: datetime, batch: int
) -> int:
    before = now - timedelta(days=config["close_after_days"])
    rows = await _waiting(session, workspace, before, Ticket.id.is_not(None), batch)
    status = await session.scalar(
        select(Status.name)
        .where(Status.workspace_id == workspace.id, Status.category == "closed")
        .order_by(Status.position)
        .limit(1)
    )
    if status is None:
        return 0
    for ticket in rows:
        await rule_actions.apply_actions(
            session,
            workspace,
            ticket,
            [
                {
                    "type": "add_comment",
                    "value": {"body": config["close_message"], "visibility": "public"},
                },
                {"type": "set_status", "value": status},
            ],
            actor=AUTO_CLOSE_ACTOR,
        )
        rule_actions.send_template_email(
            session, workspace, ticket, "auto_close_closed", to="requester"
        )
    return len(rows)
