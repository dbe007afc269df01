"""Ticket types and their lifecycles, and the approvals their gates open.

A type may restrict the statuses its tickets are in, the transitions between them (each by
role), what must be filled in to enter a status, and which moves need an approver's yes.
`null` (and the built-in types) means unrestricted. The tickets room asks here on every
status change, whatever the surface (API, bulk, automations, auto-close, merges, email), so
the rules hold everywhere. The types are configuration (config_cache): checking a change costs
no query.

Roles: a person or API token is checked against a transition's `roles`; ticketdesk itself (a
rule, auto-close) and customers (an email reply reopening a ticket) are bound by the
lifecycle and required fields but have no role to check, and their gated changes always wait
for an approver.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events
from ticketdesk.config_cache import config_cached
from ticketdesk.crud import (
    archive,
    ensure_found,
    new_row,
    next_position,
    refuse_nulls,
    set_archived,
    set_sent,
    set_values,
)
from ticketdesk.db import new_id, utcnow
from ticketdesk.errors import (
    Conflict,
    Forbidden,
    NotFound,
    TicketdeskError,
    TransitionNotAllowed,
    ValidationFailed,
)
from ticketdesk.fields import service as fields
from ticketdesk.fields.values import holds, is_empty, parse_decimal
from ticketdesk.models import Approval, Ticket, TicketType
from ticketdesk.models.ticket_type import BUILTIN_TYPES
from ticketdesk.ticket_types import repository
from ticketdesk.ticket_types.schemas import (
    ApprovalRead,
    TicketTypeCreate,
    TicketTypeRead,
    TicketTypeUpdate,
)

Loc = tuple[str | int, ...]
# what required_fields may name besides custom fields, and where a ticket write carries it
REQUIRED_ATTRIBUTES = {
    "category": ("body", "category"),
    "assignee": ("body", "assignee_id"),
    "team": ("body", "team_id"),
    "description": ("body", "description"),
}
# what an approval's `when` may look at besides custom fields
GATE_ATTRIBUTES = ("priority", "category", "channel")
MAX_TYPES = 200


class TicketTypeNotFound(NotFound):
    title = "Ticket type not found"


class RequiredFieldsMissing(TicketdeskError):
    status, title = 422, "Validation failed"


@dataclass(frozen=True, slots=True)
class TransitionRule:
    source: str  # a status, or "*": any
    targets: tuple[str, ...]
    roles: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class TypeDef:
    """A ticket type as ticket writes use it (cached per process, so no ORM row)."""

    key: str
    name: str
    statuses: tuple[str, ...] | None = None
    initial_status: str | None = None
    transitions: tuple[TransitionRule, ...] | None = None
    required_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    approvals: tuple[dict[str, Any], ...] = ()
    archived: bool = False

    @property
    def restricted(self) -> bool:
        return bool(
            self.statuses is not None
            or self.transitions is not None
            or self.required_fields
            or self.approvals
        )


@dataclass(frozen=True)
class TypeSet:
    by_key: dict[str, TypeDef] = field(default_factory=dict)

    def get(self, key: str | None) -> TypeDef | None:
        return self.by_key.get(key) if key is not None else None


def _definition(row: TicketType) -> TypeDef:
    return TypeDef(
        key=row.key,
        name=row.name,
        statuses=tuple(row.statuses) if row.statuses is not None else None,
        initial_status=row.initial_status,
        transitions=(
            tuple(
                TransitionRule(
                    str(t["from"]),
                    tuple(t["to"]),
                    tuple(t["roles"]) if t.get("roles") is not None else None,
                )
                for t in row.transitions
            )
            if row.transitions is not None
            else None
        ),
        required_fields={k: tuple(v) for k, v in (row.required_fields or {}).items() if v},
        approvals=tuple(dict(a) for a in row.approvals or []),
        archived=row.archived_at is not None,
    )


async def ticket_types(session: AsyncSession, workspace_id: uuid.UUID) -> TypeSet:
    """The workspace's types (configuration: read once per process)."""

    async def load() -> TypeSet:
        rows = await repository.types_in_order(session, workspace_id)
        return TypeSet({row.key: _definition(row) for row in rows})

    return await config_cached(session, workspace_id, "ticket_types", load)


# -- the lifecycle, as ticket writes check it -------------------------------------------------


def check_type(types: TypeSet, key: str | None, *, loc: Loc = ("body", "type")) -> TypeDef | None:
    """The type a ticket is given: one the workspace defines and has not archived (422)."""
    if key is None:
        return None
    found = types.get(key)
    if found is None or found.archived:
        known = ", ".join(k for k, t in types.by_key.items() if not t.archived)
        raise ValidationFailed(
            f"No ticket type {key!r}"
            + (" (it is archived)" if found is not None else "")
            + f"; use one of: {known}.",
            loc=loc,
        )
    return found


def reachable(
    ticket_type: TypeDef | None, current: str, statuses: Sequence[str], role: str | None
) -> list[str]:
    """The statuses a ticket of this type can move to from `current`, for this role (None:
    ticketdesk itself), in the workspace's order."""
    allowed = [
        s
        for s in statuses
        if s != current
        and (ticket_type is None or ticket_type.statuses is None or s in ticket_type.statuses)
    ]
    if ticket_type is None or ticket_type.transitions is None:
        return allowed
    targets: set[str] = set()
    for rule in ticket_type.transitions:
        if rule.source not in ("*", current):
            continue
        if role is not None and rule.roles is not None and role not in rule.roles:
            continue
        targets.update(rule.targets)
    return [s for s in allowed if s in targets]


def check_status(
    ticket_type: TypeDef | None, status: str, statuses: Sequence[str], *, current: str | None
) -> None:
    """409 unless tickets of this type may be in `status` at all."""
    if ticket_type is None or ticket_type.statuses is None or status in ticket_type.statuses:
        return
    allowed = [s for s in statuses if s in ticket_type.statuses]
    raise TransitionNotAllowed(
        f"Tickets of type {ticket_type.name!r} are never {status!r}; their statuses are: "
        f"{', '.join(allowed)}.",
        extra={"allowed": [s for s in allowed if s != current]},
    )


def check_transition(
    ticket_type: TypeDef | None,
    current: str,
    target: str,
    statuses: Sequence[str],
    role: str | None,
) -> None:
    """409 when the lifecycle has no such move, 403 when the caller's role may not take it."""
    check_status(ticket_type, target, statuses, current=current)
    if ticket_type is None or ticket_type.transitions is None:
        return
    rules = [
        rule
        for rule in ticket_type.transitions
        if rule.source in ("*", current) and target in rule.targets
    ]
    allowed = reachable(ticket_type, current, statuses, role)
    if not rules:
        raise TransitionNotAllowed(
            f"A {ticket_type.name!r} ticket cannot go from {current!r} to {target!r}; from "
            f"here it can go to: {', '.join(allowed) or 'nowhere'}.",
            extra={"allowed": allowed},
        )
    if role is not None and not any(rule.roles is None or role in rule.roles for rule in rules):
        who = sorted({r for rule in rules for r in rule.roles or ()})
        raise Forbidden(
            f"Only {' or '.join(who)} may move a {ticket_type.name!r} ticket from {current!r} "
            f"to {target!r}.",
            extra={"allowed": allowed},
        )


def missing_required(
    ticket_type: TypeDef | None,
    status: str,
    facts: Mapping[str, Any],
    labels: Mapping[str, str],
) -> None:
    """422 listing each field that must be filled in before a ticket enters `status`."""
    if ticket_type is None:
        return
    errors = []
    for name in ticket_type.required_fields.get(status, ()):
        if not is_empty(facts.get(name)):
            continue
        loc = REQUIRED_ATTRIBUTES.get(name, ("body", "custom_fields", name))
        label = labels.get(name, name)
        errors.append(
            {"loc": list(loc), "msg": f"{label!r} must be filled in to set status {status!r}"}
        )
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise RequiredFieldsMissing(f"{errors[0]['msg']}{more}", errors=errors)


def approval_gate(
    ticket_type: TypeDef | None, target: str, facts: Mapping[str, Any], role: str | None
) -> dict[str, Any] | None:
    """The approval rule this move falls under, if the caller cannot approve it themselves."""
    if ticket_type is None:
        return None
    for rule in ticket_type.approvals:
        if rule.get("to") != target:
            continue
        when = rule.get("when")
        if when and not holds(when, facts.get(str(when.get("field")))):
            continue
        if role is not None and role in rule.get("approver_roles", ()):
            continue
        return rule
    return None


def gate_fields(ticket_type: TypeDef | None) -> set[str]:
    """What this type's approval gates look at (their snapshot when an approval opens)."""
    if ticket_type is None:
        return set()
    return {str(rule["when"]["field"]) for rule in ticket_type.approvals if rule.get("when")}


# -- approvals: opened here (the tickets room asks), decided in the workflows room ----------


def actor_ref(kind: str | None, actor_id: uuid.UUID | None, name: str | None) -> dict[str, Any]:
    return {"kind": kind, "id": actor_id, "name": name}


def approval_read(approval: Approval, ticket_key: str) -> ApprovalRead:
    rule = approval.rule or {}
    decided = (
        actor_ref(approval.decided_by_kind, approval.decided_by_id, approval.decided_by_name)
        if approval.decided_by_kind
        else None
    )
    return ApprovalRead.model_validate(
        {
            "id": approval.id,
            "state": approval.state,
            "ticket": ticket_key,
            "ticket_id": approval.ticket_id,
            "requested_by": actor_ref(
                approval.requested_by_kind, approval.requested_by_id, approval.requested_by_name
            ),
            "changes": approval.changes or {},
            "approver_roles": list(rule.get("approver_roles") or []),
            "rule": rule,
            "decided_by": decided,
            "comment": approval.comment,
            "decided_at": approval.decided_at,
            "created_at": approval.created_at,
        }
    )


async def open_approval(
    session: AsyncSession,
    ticket: Ticket,
    ticket_key: str,
    *,
    changes: dict[str, Any],
    snapshot: dict[str, Any],
    rule: dict[str, Any],
    actor: events.Actor,
    role: str | None,
) -> ApprovalRead:
    """Hold the change back for an approver; the ticket stays as it was. One pending change
    per ticket: a second one waits until the first is decided (409)."""
    waiting = await repository.pending_approval(session, ticket.workspace_id, ticket.id)
    if waiting is not None:
        raise Conflict(
            f"{ticket_key} already has a change waiting for approval ({waiting.id}); "
            "approve or reject it first."
        )
    approval = Approval(
        id=new_id(),
        workspace_id=ticket.workspace_id,
        ticket_id=ticket.id,
        state="pending",
        changes=events.jsonable(changes),
        snapshot=events.jsonable(snapshot),
        rule=events.jsonable(rule),
        requested_by_kind=actor.kind,
        requested_by_id=actor.id,
        requested_by_name=actor.name,
        requested_role=role,
        created_at=utcnow(),
    )
    repository.add_approval(session, approval)
    events.record_ticket_event(
        session,
        ticket,
        "ticket.approval_requested",
        actor,
        {
            "ticket": ticket_key,
            "approval_id": approval.id,
            "state": "pending",
            "changes": approval.changes,
            "to": rule.get("to"),
            "approver_roles": list(rule.get("approver_roles") or []),
        },
    )
    return approval_read(approval, ticket_key)


# -- types: admin CRUD ------------------------------------------------------------------------


def type_read(row: TicketType) -> TicketTypeRead:
    return TicketTypeRead.model_validate(row)


async def list_types(session: AsyncSession, workspace_id: uuid.UUID) -> list[TicketTypeRead]:
    """Every type in order, archived ones included (flagged): their tickets keep them."""
    return [type_read(row) for row in await repository.types_in_order(session, workspace_id)]


async def _get_row(session: AsyncSession, workspace_id: uuid.UUID, key: str) -> TicketType:
    row = await repository.get_type(session, workspace_id, key)
    return ensure_found(row, f"No ticket type {key!r} in this workspace.", TicketTypeNotFound)


async def get_type(session: AsyncSession, workspace_id: uuid.UUID, key: str) -> TicketTypeRead:
    return type_read(await _get_row(session, workspace_id, key))


def add_default_types(session: AsyncSession, workspace_id: uuid.UUID) -> None:
    """A new workspace's types: question, incident, problem, task, unrestricted."""
    for position, (key, name) in enumerate(BUILTIN_TYPES):
        repository.add_type(
            session,
            TicketType(
                **new_row(workspace_id),
                key=key,
                name=name,
                statuses=None,
                transitions=None,
                required_fields={},
                approvals=[],
                position=position,
            ),
        )


@dataclass
class _Lifecycle:
    statuses: list[str] | None
    initial_status: str | None
    transitions: list[dict[str, Any]] | None
    required_fields: dict[str, list[str]]
    approvals: list[dict[str, Any]]


async def _check_lifecycle(
    session: AsyncSession, workspace_id: uuid.UUID, spec: _Lifecycle
) -> None:
    """Everything a lifecycle names must exist: statuses, fields; a 422 at the part at fault."""
    names = await repository.status_names(session, workspace_id)
    usable = spec.statuses if spec.statuses is not None else names

    def status(value: str, loc: Loc, *, any_ok: bool = False) -> None:
        if any_ok and value == "*":
            return
        if value not in names:
            raise ValidationFailed(
                f"No status {value!r} in this workspace; it has: {', '.join(names)}.", loc=loc
            )
        if value not in usable:
            raise ValidationFailed(
                f"{value!r} is not one of this type's statuses ({', '.join(usable)}).", loc=loc
            )

    if spec.statuses is not None:
        if len(set(spec.statuses)) != len(spec.statuses):
            raise ValidationFailed("Each status once.", loc=("body", "statuses"))
        for index, name in enumerate(spec.statuses):
            if name not in names:
                raise ValidationFailed(
                    f"No status {name!r} in this workspace; it has: {', '.join(names)}.",
                    loc=("body", "statuses", index),
                )
    if spec.initial_status is not None:
        status(spec.initial_status, ("body", "initial_status"))
    for index, rule in enumerate(spec.transitions or []):
        status(rule["from"], ("body", "transitions", index, "from"), any_ok=True)
        for position, target in enumerate(rule["to"]):
            status(target, ("body", "transitions", index, "to", position))
    defs = await fields.definitions(session, workspace_id)
    for name, required in spec.required_fields.items():
        status(name, ("body", "required_fields", name))
        for position, item in enumerate(required):
            if item not in REQUIRED_ATTRIBUTES and item not in defs.by_key:
                raise ValidationFailed(
                    f"{item!r} is not {', '.join(REQUIRED_ATTRIBUTES)} or a custom field's key.",
                    loc=("body", "required_fields", name, position),
                )
    for index, gate in enumerate(spec.approvals):
        status(gate["to"], ("body", "approvals", index, "to"))
        when = gate.get("when")
        if not when:
            continue
        at: Loc = ("body", "approvals", index, "when")
        name = when["field"]
        if name not in GATE_ATTRIBUTES and name not in defs.by_key:
            raise ValidationFailed(
                f"`when` looks at {', '.join(GATE_ATTRIBUTES)} or a custom field's key; "
                f"there is no field {name!r}.",
                loc=(*at, "field"),
            )
        value, op = when.get("value"), when["op"]
        if op in ("gt", "gte", "lt", "lte"):
            try:
                parse_decimal(value)
            except ValueError:
                kind = defs.by_key[name].kind if name in defs.by_key else None
                if kind != "date":
                    raise ValidationFailed(
                        f"`{op}` compares numbers (or dates): give a number.", loc=(*at, "value")
                    ) from None
        elif op == "in" and (not isinstance(value, list) or not 1 <= len(value) <= 100):
            raise ValidationFailed("`in` takes a list of 1 to 100 values.", loc=(*at, "value"))


def _dump_transitions(data: Sequence[Any] | None) -> list[dict[str, Any]] | None:
    if data is None:
        return None
    return [{"from": t.from_, "to": list(dict.fromkeys(t.to)), "roles": t.roles} for t in data]


def _dump_approvals(data: Sequence[Any]) -> list[dict[str, Any]]:
    return [
        {
            "to": a.to,
            "when": a.when.model_dump() if a.when is not None else None,
            "approver_roles": sorted(set(a.approver_roles)),
        }
        for a in data
    ]


def _required(data: Mapping[str, list[str]]) -> dict[str, list[str]]:
    return {status: list(dict.fromkeys(names)) for status, names in data.items() if names}


async def create_type(
    session: AsyncSession, workspace_id: uuid.UUID, data: TicketTypeCreate
) -> TicketTypeRead:
    if await repository.get_type(session, workspace_id, data.key) is not None:
        raise Conflict(
            f"A ticket type {data.key!r} exists already (archived types keep their key)."
        )
    if len((await ticket_types(session, workspace_id)).by_key) >= MAX_TYPES:
        raise ValidationFailed(f"A workspace has at most {MAX_TYPES} ticket types.")
    spec = _Lifecycle(
        statuses=list(data.statuses) if data.statuses is not None else None,
        initial_status=data.initial_status,
        transitions=_dump_transitions(data.transitions),
        required_fields=_required(data.required_fields),
        approvals=_dump_approvals(data.approvals),
    )
    await _check_lifecycle(session, workspace_id, spec)
    last = await repository.last_position(session, workspace_id)
    position = next_position(data.position, last)
    row = TicketType(
        **new_row(workspace_id),
        key=data.key,
        name=data.name,
        description=data.description,
        position=position,
        **asdict(spec),  # the lifecycle's five columns
    )
    repository.add_type(session, row)
    await session.flush()
    return type_read(row)


async def update_type(
    session: AsyncSession, workspace_id: uuid.UUID, key: str, data: TicketTypeUpdate
) -> TicketTypeRead:
    """Change what was sent; tickets of the type follow the new rules from their next change."""
    row = await _get_row(session, workspace_id, key)
    refuse_nulls(data, ("name", "required_fields", "approvals", "position", "archived"))
    sent = data.model_fields_set
    spec = _Lifecycle(
        statuses=(list(data.statuses) if data.statuses is not None else None)
        if "statuses" in sent
        else row.statuses,
        initial_status=data.initial_status if "initial_status" in sent else row.initial_status,
        transitions=_dump_transitions(data.transitions)
        if "transitions" in sent
        else row.transitions,
        required_fields=_required(data.required_fields)
        if data.required_fields is not None
        else dict(row.required_fields or {}),
        approvals=_dump_approvals(data.approvals)
        if data.approvals is not None
        else list(row.approvals or []),
    )
    await _check_lifecycle(session, workspace_id, spec)
    set_sent(row, data, ("name", "position", "description"))
    set_values(row, asdict(spec))
    set_archived(row, data.archived)
    row.updated_at = utcnow()
    await session.flush()
    return type_read(row)


async def archive_type(session: AsyncSession, workspace_id: uuid.UUID, key: str) -> None:
    """DELETE archives: its tickets keep the type (and its rules); no new ticket gets it."""
    if archive(await _get_row(session, workspace_id, key)):
        await session.flush()
