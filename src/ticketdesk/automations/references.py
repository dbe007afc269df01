"""What rules and SLA escalations refer to, checked when they are saved: statuses, users,
teams and email templates of this workspace. A rule naming something the workspace does not
have (another workspace's id included) is refused with a 422 at the exact `loc`, instead of
failing every time it runs."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, get_args

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.automations import repository
from ticketdesk.email.schemas import TemplateKind
from ticketdesk.errors import ValidationFailed
from ticketdesk.fields import service as fields
from ticketdesk.schemas import normalize_email
from ticketdesk.ticket_types import service as ticket_types
from ticketdesk.tickets import service as tickets

Loc = tuple[str | int, ...]
# the survey email carries its own link: the `send_survey` action sends it, not send_email
TEMPLATES: tuple[str, ...] = tuple(k for k in get_args(TemplateKind) if k != "csat_survey")
ASSIGNABLE_ROLES = ("agent", "admin")
_ASSIGN_STRATEGIES = (None, "round_robin", "least_loaded")
_NOTIFY_KEYWORDS = ("assignee", "team")
_MATCHING_OPS = ("is", "is_not", "in")


@dataclass
class _Wanted:
    """The references found in a body, by kind, each with where it was found."""

    statuses: list[tuple[Loc, Any]] = field(default_factory=list)  # conditions ignore case
    set_statuses: list[tuple[Loc, Any]] = field(default_factory=list)  # actions name exactly
    assignees: list[tuple[Loc, Any]] = field(default_factory=list)
    users: list[tuple[Loc, Any]] = field(default_factory=list)
    teams: list[tuple[Loc, Any]] = field(default_factory=list)
    custom_values: list[tuple[Loc, Any]] = field(default_factory=list)
    types: list[tuple[Loc, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def refuse(self, loc: Loc, msg: str) -> None:
        self.errors.append({"loc": list(loc), "msg": msg})


def _collect_actions(wanted: _Wanted, actions: Sequence[dict[str, Any]], locs: list[Loc]) -> None:
    for action, at in zip(actions, locs, strict=True):
        kind, value = action.get("type"), action.get("value")
        if kind == "set_status":
            wanted.set_statuses.append((at, value))
        elif kind == "set_team" and value is not None:
            wanted.teams.append((at, value))
        elif kind == "set_custom_field" and isinstance(value, dict):
            wanted.custom_values.append((at, value))
        elif kind == "set_type" and value is not None:
            wanted.types.append((at, value))
        elif kind == "assign" and value not in _ASSIGN_STRATEGIES:
            wanted.assignees.append((at, value))
        elif kind == "notify":
            targets = value if isinstance(value, list) else [value]
            for position, target in enumerate(targets):
                where = (*at, position) if isinstance(value, list) else at
                if target not in _NOTIFY_KEYWORDS:
                    wanted.users.append((where, target))
        elif kind == "send_email" and isinstance(value, dict):
            if value.get("template") not in TEMPLATES:
                wanted.refuse(
                    (*at, "template"),
                    f"no email template {value.get('template')!r}; use one of: "
                    + ", ".join(TEMPLATES),
                )
            to = value.get("to", "requester")
            if to != "requester":
                try:
                    normalize_email(str(to))
                except ValueError:
                    wanted.refuse((*at, "to"), f"{to!r} is not `requester` or an email address")


def _collect_conditions(wanted: _Wanted, node: dict[str, Any], loc: Loc) -> None:
    for key in ("all", "any"):
        for index, item in enumerate(node.get(key) or []):
            at = (*loc, key, index)
            if "all" in item or "any" in item:
                _collect_conditions(wanted, item, at)
                continue
            name, op, value = item.get("field"), item.get("op"), item.get("value")
            if op not in _MATCHING_OPS or value is None:
                continue
            values = value if op == "in" and isinstance(value, list) else [value]
            for position, one in enumerate(values):
                where = (*at, "value", position) if op == "in" else (*at, "value")
                if name == "status":
                    wanted.statuses.append((where, one))
                elif name == "assignee":
                    wanted.users.append((where, one))
                elif name == "team":
                    wanted.teams.append((where, one))


def _as_id(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


async def check_references(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    *,
    actions: Sequence[dict[str, Any]] | None = None,
    conditions: dict[str, Any] | None = None,
    actions_loc: Loc = ("body", "actions"),
    value_locs: Sequence[Loc] | None = None,
    conditions_loc: Loc = ("body", "conditions"),
) -> None:
    """Refuse (one 422 listing each problem) statuses, users, teams and templates that this
    workspace does not have; one query per kind, whatever the number of actions. Each
    action's value is at `actions_loc + (index, "value")`, or at its entry of `value_locs`."""
    wanted = _Wanted()
    if actions:
        locs = list(value_locs or [(*actions_loc, i, "value") for i in range(len(actions))])
        _collect_actions(wanted, actions, locs)
    if conditions:
        _collect_conditions(wanted, conditions, conditions_loc)
    if wanted.statuses or wanted.set_statuses:
        names = [s.name for s in await tickets.workspace_statuses(session, workspace_id)]
        for at, value, name in [(at, v, v) for at, v in wanted.set_statuses] + [
            (at, v, v.lower() if isinstance(v, str) else v) for at, v in wanted.statuses
        ]:
            if name not in names:
                wanted.refuse(
                    at, f"no status {value!r} in this workspace; it has: {', '.join(names)}"
                )
    user_ids = {_as_id(value) for _, value in wanted.assignees + wanted.users}
    users = {
        user.id: user
        for user in await repository.users_by_id(
            session, workspace_id, {i for i in user_ids if i is not None}
        )
    }
    for at, value in wanted.assignees:
        user_id = _as_id(value)
        user = users.get(user_id) if user_id is not None else None
        if user is None or not user.active or user.role not in ASSIGNABLE_ROLES:
            wanted.refuse(at, f"{value!r} is not an active agent or admin of this workspace")
    for at, value in wanted.users:
        if _as_id(value) not in users:
            wanted.refuse(at, f"{value!r} is not a user of this workspace")
    team_refs = {i for _, value in wanted.teams if (i := _as_id(value)) is not None}
    teams = await repository.team_ids(session, workspace_id, team_refs)
    for at, value in wanted.teams:
        if _as_id(value) not in teams:
            wanted.refuse(at, f"{value!r} is not a team of this workspace")
    await _check_fields_and_types(session, workspace_id, wanted)
    if wanted.errors:
        raise invalid(sorted(wanted.errors, key=_document_order))


async def _check_fields_and_types(
    session: AsyncSession, workspace_id: uuid.UUID, wanted: _Wanted
) -> None:
    """set_custom_field: a field the workspace defines, active, and a value of its kind (what
    only a ticket can tell, its type and visibility, is checked when the rule runs);
    set_type: a type the workspace defines."""
    for at, value in wanted.custom_values:
        try:
            await fields.check_value(
                session, workspace_id, str(value.get("key")), value.get("value"), loc=at
            )
        except ValidationFailed as exc:
            wanted.refuse(at, exc.detail)
    if wanted.types:
        types = await ticket_types.ticket_types(session, workspace_id)
        for at, value in wanted.types:
            try:
                ticket_types.check_type(types, str(value), loc=at)
            except ValidationFailed as exc:
                wanted.refuse(at, exc.detail)


def _document_order(error: dict[str, Any]) -> list[tuple[int, int | str]]:
    return [(0, part) if isinstance(part, int) else (1, part) for part in error["loc"]]


def invalid(errors: list[dict[str, Any]]) -> ValidationFailed:
    """One 422 carrying every problem found, the first one as its detail."""
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    error = ValidationFailed(f"{first['msg']}{more}", loc=first["loc"])
    error.errors = errors
    return error
