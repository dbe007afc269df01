"""Custom field queries, each scoped to one workspace by _in_workspace(); and the SQL of the
`cf.*` list filters, the same expressions the field indexes are built on."""

from __future__ import annotations

import hashlib
import itertools
import uuid
from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any, TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    bindparam,
    false,
    func,
    literal_column,
    not_,
    or_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.models import CustomField, Ticket, TicketType, User

Ts = TypeVarTuple("Ts")


def _in_workspace(stmt: Select[*Ts], workspace_id: uuid.UUID) -> Select[*Ts]:
    """The tenant scope: every field query goes through here."""
    return stmt.where(CustomField.workspace_id == workspace_id)


async def fields_in_order(session: AsyncSession, workspace_id: uuid.UUID) -> Sequence[CustomField]:
    stmt = _in_workspace(select(CustomField), workspace_id).order_by(
        CustomField.position, CustomField.key
    )
    return (await session.scalars(stmt)).all()


async def get_field(session: AsyncSession, workspace_id: uuid.UUID, key: str) -> CustomField | None:
    stmt = _in_workspace(select(CustomField), workspace_id).where(CustomField.key == key)
    found: CustomField | None = await session.scalar(stmt)
    return found


async def last_position(session: AsyncSession, workspace_id: uuid.UUID) -> int | None:
    return await session.scalar(_in_workspace(select(func.max(CustomField.position)), workspace_id))


def add_field(session: AsyncSession, field: CustomField) -> None:
    """A configuration write: the trigger moves the workspace's config_version."""
    session.add(field)


async def type_keys(session: AsyncSession, workspace_id: uuid.UUID) -> set[str]:
    """The workspace's ticket type keys (a field's scope must name them)."""
    rows = await session.scalars(
        select(TicketType.key).where(TicketType.workspace_id == workspace_id)
    )
    return set(rows)


async def user_ids(
    session: AsyncSession, workspace_id: uuid.UUID, ids: Collection[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of these ids are active users of the workspace (values of `user` fields)."""
    if not ids:
        return set()
    rows = await session.scalars(
        select(User.id).where(
            User.workspace_id == workspace_id, User.id.in_(list(ids)), User.active.is_(True)
        )
    )
    return set(rows)


# -- the `cf.*` filters ---------------------------------------------------------------------
# Keys match ^[a-z][a-z0-9_]{0,62}$ (checked before they get here), so they are written into
# the SQL as literals: an expression index is used only for the very same expression.

_PG_NUMBER = r"'^[+-]?[0-9]+(\.[0-9]+)?$'"
_BIND_NAMES = itertools.count()


def number_sql(dialect: str, key: str) -> str:
    """The field as a number (NULL when it holds something else), as its index has it."""
    if dialect == "postgresql":
        value = f"(tickets.custom_fields ->> '{key}')"
        return (
            f"(CASE WHEN jsonb_typeof(tickets.custom_fields -> '{key}') = 'number' "
            f"OR {value} ~ {_PG_NUMBER} THEN CAST({value} AS numeric) END)"
        )
    return f"CAST(json_extract(tickets.custom_fields, '$.{key}') AS REAL)"


def text_sql(dialect: str, key: str) -> str:
    """The field's value as text (dates compare as `YYYY-MM-DD`)."""
    if dialect == "postgresql":
        return f"(tickets.custom_fields ->> '{key}')"
    return f"json_extract(tickets.custom_fields, '$.{key}')"


def _column(sql: str) -> ColumnElement[Any]:
    return literal_column(sql)


def _jsonb() -> Any:
    """tickets.custom_fields with PostgreSQL's JSONB operators (`?`, `@>`: the GIN index's)."""
    return type_coerce(Ticket.custom_fields, JSONB)


def is_set(dialect: str, key: str) -> ColumnElement[bool]:
    if dialect == "postgresql":
        # a literal key: the statement stays the same for every value (plan cache)
        present: ColumnElement[bool] = literal_column(f"(tickets.custom_fields ? '{key}')")
        return present
    return literal_column(f"json_type(tickets.custom_fields, '$.{key}')").is_not(None)


def set_condition(dialect: str, key: str, wanted: bool) -> ColumnElement[bool]:
    condition = is_set(dialect, key)
    return condition if wanted else not_(condition)


def equals_any(
    dialect: str, key: str, kind: str | None, values: Sequence[Any]
) -> ColumnElement[bool]:
    """The field holds one of `values` (already in their stored form); a multi-select holds
    one of them among its options."""
    if not values:
        return false()
    if kind == "decimal":
        number = _column(number_sql(dialect, key))
        return or_(*(number == Decimal(str(v)) for v in values))
    if dialect == "postgresql":
        # containment: the GIN index over (workspace_id, custom_fields) answers it
        shaped = [{key: [v]} if kind == "multi_select" else {key: v} for v in values]
        return or_(*(_jsonb().contains(s) for s in shaped))
    if kind == "multi_select":
        name = f"cf_{key}_{next(_BIND_NAMES)}"  # the same key may be filtered twice
        return literal_column("1").in_(
            text(
                f"SELECT 1 FROM json_each(tickets.custom_fields, '$.{key}') AS item "
                f"WHERE item.value IN :{name}"
            ).bindparams(bindparam(name, list(values), expanding=True))
        )
    stored = [int(v) if isinstance(v, bool) else v for v in values]  # SQLite's JSON booleans
    return _column(text_sql(dialect, key)).in_(stored)


def compare(dialect: str, key: str, kind: str, op: str, value: Any) -> ColumnElement[bool]:
    """`cf.<key>.gte` / `.lte` on an integer, decimal or date field."""
    if kind == "date":
        column = _column(text_sql(dialect, key))
        bound: Any = value
    else:
        column = _column(number_sql(dialect, key))
        bound = Decimal(str(value)) if dialect == "postgresql" else float(value)
    result: ColumnElement[bool] = column >= bound if op == "gte" else column <= bound
    return result


# -- indexes on the values of filterable fields ---------------------------------------------


def index_name(key: str, family: str) -> str:
    digest = hashlib.sha1(f"{key}:{family}".encode()).hexdigest()[:16]
    return f"ix_tickets_cf_{family}_{digest}"


def index_statements(dialect: str, key: str, kind: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement, idempotent) for filtering and ranging on one field key;
    one index serves every workspace whose field has this key and family of kind."""
    if dialect == "postgresql":
        if kind in ("integer", "decimal"):
            expression, family = number_sql(dialect, key), "num"
        elif kind == "date":
            expression, family = text_sql(dialect, key), "text"
        else:
            return []  # equality: the GIN index of migration 0012
        name = index_name(key, family)
        return [
            (
                name,
                # not partial: ANALYZE then keeps the expression's statistics, and the
                # planner knows a rare range (this index) from a common one (created_at order)
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON tickets "
                f"(workspace_id, ({expression}))",
            )
        ]
    if kind in ("integer", "decimal"):
        expression, family = number_sql(dialect, key), "num"
    elif kind in ("multi_select", "long_text", "checkbox"):
        return []
    else:
        expression, family = text_sql(dialect, key), "text"
    name = index_name(key, family)
    return [
        (
            name,
            f"CREATE INDEX IF NOT EXISTS {name} ON tickets "
            f"(workspace_id, {expression.replace('tickets.', '')})",
        )
    ]


INVALID_INDEX = text(
    "SELECT 1 FROM pg_index JOIN pg_class ON pg_class.oid = pg_index.indexrelid "
    "WHERE pg_class.relname = :name AND NOT pg_index.indisvalid"
)
