"""Custom fields: their definitions (admin CRUD) and the one check every ticket write goes
through (create, PATCH, bulk, import, automations, email, chat conversion, the form).

A workspace that defines no field keeps free-form `custom_fields` (as before fields existed).
Once it defines one, the definitions govern: a value written to an unknown key, of the wrong
kind, outside its validation, hidden by `visible_when`, not used by the ticket's type, or a
required field left empty, is a 422 naming the field, and nothing is written. Values stored
before a definition existed stay as they are and are not checked until they are written.

The definitions are configuration (config_cache): creating or changing a ticket costs no
query for them.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import regex
from sqlalchemy import ColumnElement, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import jobs
from ticketdesk.config_cache import config_cached
from ticketdesk.crud import (
    archive,
    ensure_found,
    new_row,
    next_position,
    refuse_nulls,
    set_archived,
    set_sent,
)
from ticketdesk.db import Database, dialect_name, utcnow
from ticketdesk.errors import Conflict, NotFound, TicketdeskError, ValidationFailed
from ticketdesk.fields import repository
from ticketdesk.fields.schemas import FIELD_KEY_PATTERN, FieldCreate, FieldRead, FieldUpdate
from ticketdesk.fields.values import (
    OPTION_KINDS,
    RANGE_KINDS,
    TEXT_KINDS,
    FieldDef,
    InvalidValue,
    coerce,
    holds,
    is_empty,
    parse_date,
    parse_decimal,
    parse_integer,
)
from ticketdesk.jobs import JobContext, JobSpec, Retry
from ticketdesk.models import CustomField

log = logging.getLogger(__name__)

Loc = tuple[str | int, ...]
# what `visible_when` (and approval gates) may look at besides custom fields
TICKET_ATTRIBUTES = ("category", "type", "priority", "channel", "status")
AUTOFILL_KINDS = ("text", "long_text", "dropdown", "url")
# names lifecycles and gates use for the ticket's own attributes: no field may take them
RESERVED_KEYS = frozenset(
    (*TICKET_ATTRIBUTES, "assignee", "team", "description", "subject", "labels", "requester")
)
INDEX_JOB = "fields.ensure_indexes"
INDEX_LOCK = 0x7464_6366  # "tdcf": the advisory lock one index build holds
INDEX_RETRY_SECONDS = 5.0
MAX_FIELDS = 500


class FieldNotFound(NotFound):
    title = "Custom field not found"


class FieldValuesInvalid(TicketdeskError):
    """Custom field values refused; `errors` names each field at its loc."""

    status, title = 422, "Validation failed"


@dataclass(frozen=True)
class FieldSet:
    """A workspace's field definitions (archived ones too: their values stay readable)."""

    fields: tuple[FieldDef, ...] = ()
    by_key: dict[str, FieldDef] = field(default_factory=dict)

    @classmethod
    def of(cls, fields: Sequence[FieldDef]) -> FieldSet:
        ordered = tuple(sorted(fields, key=lambda f: (f.position, f.key)))
        return cls(ordered, {f.key: f for f in ordered})

    @property
    def governs(self) -> bool:
        """Whether the definitions govern the values (free-form until a field is defined)."""
        return bool(self.fields)


@dataclass(frozen=True)
class TicketShape:
    """What a ticket will hold once the write is done: what scope and visibility look at."""

    type: str | None
    category: str | None = None
    priority: str | None = None
    channel: str | None = None
    status: str | None = None

    def attribute(self, name: str) -> Any:
        return getattr(self, name)


def _definition(row: CustomField) -> FieldDef:
    return FieldDef(
        key=row.key,
        label=row.label,
        kind=row.kind,
        options=tuple(str(o["value"]) for o in row.options or []),
        required=row.required,
        validation=dict(row.validation or {}),
        ticket_types=tuple(row.ticket_types) if row.ticket_types is not None else None,
        visible_when=dict(row.visible_when) if row.visible_when else None,
        autofill=row.autofill,
        filterable=row.filterable,
        position=row.position,
        archived=row.archived_at is not None,
    )


async def definitions(session: AsyncSession, workspace_id: uuid.UUID) -> FieldSet:
    """The workspace's field definitions (configuration: read once per process)."""

    async def load() -> FieldSet:
        rows = await repository.fields_in_order(session, workspace_id)
        return FieldSet.of([_definition(row) for row in rows])

    return await config_cached(session, workspace_id, "custom_fields", load)


# -- checking values on every ticket write --------------------------------------------------


def _value_of(name: str, shape: TicketShape, values: Mapping[str, Any]) -> Any:
    return shape.attribute(name) if name in TICKET_ATTRIBUTES else values.get(name)


def visible(definition: FieldDef, shape: TicketShape, values: Mapping[str, Any]) -> bool:
    """Whether the field shows on this ticket (its `visible_when`, if any, holds)."""
    condition = definition.visible_when
    if not condition:
        return True
    return holds(condition, _value_of(str(condition.get("field")), shape, values))


def applies(definition: FieldDef, shape: TicketShape, values: Mapping[str, Any]) -> bool:
    """Whether the ticket has this field at all: active, of its type, and visible."""
    return (
        not definition.archived
        and definition.used_by(shape.type)
        and visible(definition, shape, values)
    )


async def check_values(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    *,
    current: Mapping[str, Any],
    incoming: Mapping[str, Any] | None,
    shape: TicketShape,
    creating: bool = False,
    type_changed: bool = False,
    enforce_required: bool = True,
    autofill: Mapping[str, str | None] | None = None,
    loc: Loc = ("body", "custom_fields"),
) -> dict[str, Any]:
    """The ticket's custom fields after this write, every value in its stored form; or a 422
    naming each refused field. `incoming` merges into `current`: a key sent with null (or an
    empty text or list) is cleared, a key not sent stays. A value sent unchanged is no write.
    `autofill` (on creation): the conversation's and requester's facts by source name."""
    defs = await definitions(session, workspace_id)
    merged = dict(current)
    written: list[str] = []
    for key, raw in (incoming or {}).items():
        if key in current and current[key] == raw:
            continue
        if is_empty(raw) and not isinstance(raw, bool):
            merged.pop(key, None)
        else:
            merged[key] = raw
            written.append(key)
    if not defs.governs:
        return merged
    errors: list[dict[str, Any]] = []

    def refuse(key: str, msg: str) -> None:
        errors.append({"loc": [*loc, key], "msg": msg})

    user_values: dict[str, uuid.UUID] = {}
    for key in written:
        definition = defs.by_key.get(key)
        if definition is None:
            refuse(key, f"there is no custom field {key!r}; see GET /custom-fields")
            continue
        if definition.archived:
            refuse(key, f"{definition.label!r} is archived: its values can be read, not written")
            continue
        if not definition.used_by(shape.type):
            used = ", ".join(definition.ticket_types or ())
            refuse(
                key,
                f"{definition.label!r} is not used by tickets of type {shape.type!r} "
                f"(only: {used})",
            )
            continue
        try:
            merged[key] = coerce(definition, merged[key])
        except InvalidValue as exc:
            refuse(key, f"{definition.label!r} {exc}")
            continue
        if definition.kind == "user":
            user_values[key] = uuid.UUID(merged[key])
    if creating and autofill:
        _autofill(defs, shape, merged, autofill)
    for key in written:
        definition = defs.by_key.get(key)
        if definition is None or any(e["loc"][-1] == key for e in errors):
            continue
        if not visible(definition, shape, merged):
            condition = definition.visible_when or {}
            refuse(
                key,
                f"{definition.label!r} is hidden on this ticket (it shows when "
                f"{condition.get('field')} {condition.get('op')} {condition.get('value')!r})",
            )
    if user_values:
        known = await repository.user_ids(session, workspace_id, set(user_values.values()))
        for key, user_id in user_values.items():
            if user_id not in known:
                refuse(key, f"{defs.by_key[key].label!r}: no active user {str(user_id)!r} here")
    if enforce_required:
        cleared = {k for k, v in (incoming or {}).items() if k not in merged and k in current}
        for definition in defs.fields:
            if not definition.required or definition.key in merged:
                continue
            if not (creating or type_changed or definition.key in cleared):
                continue
            if applies(definition, shape, merged):
                refuse(definition.key, f"{definition.label!r} is required")
    if errors:
        raise _invalid(errors)
    return merged


def _autofill(
    defs: FieldSet,
    shape: TicketShape,
    merged: dict[str, Any],
    sources: Mapping[str, str | None],
) -> None:
    """Fill empty autofill fields from their source; a value that does not fit is left out."""
    for definition in defs.fields:
        if not definition.autofill or definition.key in merged:
            continue
        source = sources.get(definition.autofill)
        if is_empty(source) or not applies(definition, shape, merged):
            continue
        try:
            merged[definition.key] = coerce(definition, source)
        except InvalidValue:
            continue


async def writable_copy(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    values: Mapping[str, Any],
    shape: TicketShape,
) -> dict[str, Any]:
    """Of another ticket's values, those a new ticket of this shape may take (a split): the
    fields still defined, active, of its type and visible; free-form when none is defined."""
    defs = await definitions(session, workspace_id)
    if not defs.governs:
        return dict(values)
    copied: dict[str, Any] = {}
    for key, raw in values.items():
        definition = defs.by_key.get(key)
        if definition is None or is_empty(raw) or not applies(definition, shape, values):
            continue
        try:
            copied[key] = coerce(definition, raw)
        except InvalidValue:
            continue
    return copied


def _invalid(errors: list[dict[str, Any]]) -> FieldValuesInvalid:
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return FieldValuesInvalid(f"{first['msg']}{more}", errors=errors)


async def field_labels(session: AsyncSession, workspace_id: uuid.UUID) -> dict[str, str]:
    defs = await definitions(session, workspace_id)
    return {f.key: f.label for f in defs.fields}


async def check_value(
    session: AsyncSession, workspace_id: uuid.UUID, key: str, raw: Any, *, loc: Loc
) -> Any:
    """One value checked as far as it can be without a ticket (an automation's or macro's
    set_custom_field when it is saved): the field exists, is active and the value fits."""
    defs = await definitions(session, workspace_id)
    if not defs.governs or is_empty(raw):
        return raw
    definition = defs.by_key.get(key)
    if definition is None:
        raise ValidationFailed(f"there is no custom field {key!r}; see GET /custom-fields", loc=loc)
    if definition.archived:
        raise ValidationFailed(f"{definition.label!r} is archived", loc=loc)
    try:
        value = coerce(definition, raw)
    except InvalidValue as exc:
        raise ValidationFailed(f"{definition.label!r} {exc}", loc=loc) from exc
    if definition.kind == "user":
        known = await repository.user_ids(session, workspace_id, {uuid.UUID(value)})
        if not known:
            raise ValidationFailed(f"{definition.label!r}: no active user {value!r}", loc=loc)
    return value


# -- filters: `cf.<key>=a,b`, `cf.<key>.gte=`, `cf.<key>.lte=`, `cf.<key>.set=true|false` ---


async def filter_conditions(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    filters: Sequence[tuple[str, str, Sequence[str]]],
) -> list[ColumnElement[bool]]:
    """SQL conditions for the `cf.*` list filters, given as (key, op, raw values) with op one
    of any, gte, lte, set; a value that cannot be of the field's kind is a 422 at its
    parameter. A key no field defines is matched as text (free-form values)."""
    if not filters:
        return []
    defs = await definitions(session, workspace_id)
    dialect = dialect_name(session)
    conditions: list[ColumnElement[bool]] = []
    for key, op, raw in filters:
        name = f"cf.{key}" if op == "any" else f"cf.{key}.{op}"
        definition = defs.by_key.get(key)
        kind = definition.kind if definition is not None else None
        try:
            if op == "set":
                wanted = _flag(raw[0] if raw else "")
                conditions.append(repository.set_condition(dialect, key, wanted))
            elif op in ("gte", "lte"):
                if kind not in RANGE_KINDS:
                    raise InvalidValue(
                        "ranges need an integer, decimal or date field"
                        + ("" if definition else f"; there is no field {key!r}")
                    )
                assert kind is not None
                value = _range_value(kind, raw[0] if raw else "")
                conditions.append(repository.is_set(dialect, key))
                conditions.append(repository.compare(dialect, key, kind, op, value))
            else:
                values = [_filter_value(kind, v) for v in raw]
                conditions.append(repository.equals_any(dialect, key, kind, values))
        except InvalidValue as exc:
            raise ValidationFailed(f"`{name}` {exc}", loc=("query", name)) from exc
    return conditions


def _flag(raw: str) -> bool:
    if raw not in ("true", "false"):
        raise InvalidValue("is true or false")
    return raw == "true"


def _range_value(kind: str, raw: str) -> Any:
    if kind == "integer":
        try:
            return parse_integer(int(raw))
        except ValueError as exc:
            raise InvalidValue("expects a whole number") from exc
    if kind == "decimal":
        return parse_decimal(raw)
    return parse_date(raw).isoformat()


def _filter_value(kind: str | None, raw: str) -> Any:
    if kind == "integer":
        return _range_value(kind, raw)
    if kind == "decimal":
        return str(parse_decimal(raw))
    if kind == "date":
        return parse_date(raw).isoformat()
    if kind == "checkbox":
        return _flag(raw)
    if kind == "user":
        try:
            return str(uuid.UUID(raw))
        except ValueError as exc:
            raise InvalidValue("expects user ids") from exc
    if kind == "email":
        return raw.lower()
    return raw


# -- definitions: admin CRUD ----------------------------------------------------------------


def field_read(row: CustomField) -> FieldRead:
    return FieldRead.model_validate(row)


async def list_fields(session: AsyncSession, workspace_id: uuid.UUID) -> list[FieldRead]:
    """Every field in order, archived ones included (flagged): their values stay readable."""
    return [field_read(row) for row in await repository.fields_in_order(session, workspace_id)]


async def _get_row(session: AsyncSession, workspace_id: uuid.UUID, key: str) -> CustomField:
    row = await repository.get_field(session, workspace_id, key)
    return ensure_found(row, f"No custom field {key!r} in this workspace.", FieldNotFound)


async def get_field(session: AsyncSession, workspace_id: uuid.UUID, key: str) -> FieldRead:
    return field_read(await _get_row(session, workspace_id, key))


@dataclass
class _Definition:
    """A definition being written, checked as a whole."""

    key: str
    kind: str
    options: list[dict[str, Any]]
    validation: dict[str, Any]
    ticket_types: list[str] | None
    visible_when: dict[str, Any] | None
    autofill: str | None


async def _check_definition(
    session: AsyncSession, workspace_id: uuid.UUID, spec: _Definition
) -> None:
    """Refuse a definition that could never hold a value, with a 422 at the part at fault."""
    kind = spec.kind
    values = [o["value"] for o in spec.options]
    if kind in OPTION_KINDS and not values:
        raise ValidationFailed(f"A {kind} field needs options.", loc=("body", "options"))
    if kind not in OPTION_KINDS and values:
        raise ValidationFailed(
            f"Only dropdown and multi_select fields have options, not {kind}.",
            loc=("body", "options"),
        )
    if len(set(values)) != len(values):
        raise ValidationFailed("Option values must be unique.", loc=("body", "options"))
    _check_validation(kind, spec.validation)
    if spec.ticket_types is not None:
        known = await repository.type_keys(session, workspace_id)
        for index, type_key in enumerate(spec.ticket_types):
            if type_key not in known:
                raise ValidationFailed(
                    f"No ticket type {type_key!r}; see GET /ticket-types.",
                    loc=("body", "ticket_types", index),
                )
    if spec.visible_when is not None:
        await _check_condition(session, workspace_id, spec.key, spec.visible_when)
    if spec.autofill is not None and kind not in AUTOFILL_KINDS:
        raise ValidationFailed(
            f"Only {', '.join(AUTOFILL_KINDS)} fields can be filled automatically.",
            loc=("body", "autofill"),
        )


def _check_validation(kind: str, rules: dict[str, Any]) -> None:
    at: Loc = ("body", "validation")
    low, high = rules.get("min"), rules.get("max")
    if (low is not None or high is not None) and kind not in (*RANGE_KINDS, "multi_select"):
        raise ValidationFailed(
            f"min and max bound integer, decimal, date and multi_select fields, not {kind}.",
            loc=(*at, "min" if low is not None else "max"),
        )
    parsed: dict[str, Any] = {}
    for name, raw in (("min", low), ("max", high)):
        if raw is None:
            continue
        try:
            if kind == "date":
                parsed[name] = parse_date(raw)
            elif kind in ("integer", "multi_select"):
                parsed[name] = parse_integer(raw)
            else:
                parsed[name] = parse_decimal(raw)
        except InvalidValue as exc:
            raise ValidationFailed(f"`{name}` {exc}.", loc=(*at, name)) from exc
    if "min" in parsed and "max" in parsed and parsed["min"] > parsed["max"]:
        raise ValidationFailed("`min` is greater than `max`.", loc=(*at, "min"))
    if rules.get("pattern") is not None:
        if kind not in TEXT_KINDS:
            raise ValidationFailed(
                f"A pattern checks text, email and URL fields, not {kind}.", loc=(*at, "pattern")
            )
        try:
            regex.compile(rules["pattern"])
        except regex.error as exc:
            raise ValidationFailed(f"Invalid pattern: {exc}.", loc=(*at, "pattern")) from exc
    if rules.get("max_length") is not None and kind not in TEXT_KINDS:
        raise ValidationFailed(
            f"max_length limits text, email and URL fields, not {kind}.",
            loc=(*at, "max_length"),
        )


async def _check_condition(
    session: AsyncSession, workspace_id: uuid.UUID, key: str, condition: dict[str, Any]
) -> None:
    at: Loc = ("body", "visible_when")
    name = str(condition.get("field"))
    if name == key:
        raise ValidationFailed("A field cannot depend on itself.", loc=(*at, "field"))
    if name not in TICKET_ATTRIBUTES:
        defs = await definitions(session, workspace_id)
        if not re.match(FIELD_KEY_PATTERN, name) or name not in defs.by_key:
            raise ValidationFailed(
                f"visible_when looks at {', '.join(TICKET_ATTRIBUTES)} or another field's "
                f"key; there is no field {name!r}.",
                loc=(*at, "field"),
            )
    value = condition.get("value")
    if condition.get("op") == "in":
        if not isinstance(value, list) or not 1 <= len(value) <= 100:
            raise ValidationFailed("`in` takes a list of 1 to 100 values.", loc=(*at, "value"))
        items = value
    else:
        items = [value]
    for item in items:
        if isinstance(item, dict | list):
            raise ValidationFailed(
                "Compare with a text, number, boolean or null.", loc=(*at, "value")
            )


def _options(data: Sequence[Any]) -> list[dict[str, Any]]:
    return [{"value": o.value, "label": o.label} for o in data]


async def create_field(
    session: AsyncSession, workspace_id: uuid.UUID, data: FieldCreate
) -> FieldRead:
    """A new field, last unless given a position; its key is the workspace's for good."""
    if data.key in RESERVED_KEYS:
        raise ValidationFailed(
            f"{data.key!r} names a ticket attribute; choose another key.", loc=("body", "key")
        )
    if await repository.get_field(session, workspace_id, data.key) is not None:
        raise Conflict(
            f"A custom field {data.key!r} exists already (archived fields keep their key)."
        )
    if len((await definitions(session, workspace_id)).fields) >= MAX_FIELDS:
        raise ValidationFailed(f"A workspace has at most {MAX_FIELDS} custom fields.")
    validation = data.validation.model_dump(exclude_none=True)
    visible_when = data.visible_when.model_dump() if data.visible_when else None
    spec = _Definition(
        data.key,
        data.kind,
        _options(data.options),
        validation,
        data.ticket_types,
        visible_when,
        data.autofill,
    )
    await _check_definition(session, workspace_id, spec)
    last = await repository.last_position(session, workspace_id)
    position = next_position(data.position, last)
    row = CustomField(
        **new_row(workspace_id),
        key=data.key,
        label=data.label,
        description=data.description,
        kind=data.kind,
        options=spec.options,
        required=data.required,
        validation=validation,
        ticket_types=sorted(set(data.ticket_types)) if data.ticket_types is not None else None,
        visible_when=visible_when,
        autofill=data.autofill,
        filterable=data.filterable,
        position=position,
    )
    repository.add_field(session, row)
    await session.flush()
    _ensure_indexes_after_commit(session, row)
    return field_read(row)


async def update_field(
    session: AsyncSession, workspace_id: uuid.UUID, key: str, data: FieldUpdate
) -> FieldRead:
    """Change what was sent; the kind stays (values are stored by it)."""
    row = await _get_row(session, workspace_id, key)
    refuse_nulls(
        data, ("label", "kind", "options", "required", "validation", "filterable", "position")
    )
    refuse_nulls(data, ("archived",))
    sent = data.model_fields_set
    if data.kind is not None and data.kind != row.kind:
        raise ValidationFailed(
            f"A field's kind cannot change ({row.kind} here); archive it and define another.",
            loc=("body", "kind"),
        )
    spec = _Definition(
        row.key,
        row.kind,
        _options(data.options) if data.options is not None else list(row.options or []),
        data.validation.model_dump(exclude_none=True)
        if data.validation is not None
        else dict(row.validation or {}),
        data.ticket_types if "ticket_types" in sent else row.ticket_types,
        (data.visible_when.model_dump() if data.visible_when else None)
        if "visible_when" in sent
        else row.visible_when,
        data.autofill if "autofill" in sent else row.autofill,
    )
    await _check_definition(session, workspace_id, spec)
    set_sent(row, data, ("label", "required", "filterable", "position", "description"))
    row.options = spec.options
    row.validation = spec.validation
    row.ticket_types = sorted(set(spec.ticket_types)) if spec.ticket_types is not None else None
    row.visible_when = spec.visible_when
    row.autofill = spec.autofill
    set_archived(row, data.archived)
    row.updated_at = utcnow()
    await session.flush()
    _ensure_indexes_after_commit(session, row)
    return field_read(row)


async def archive_field(session: AsyncSession, workspace_id: uuid.UUID, key: str) -> None:
    """DELETE archives: the values stay readable (and filterable), no new writes."""
    if archive(await _get_row(session, workspace_id, key)):
        await session.flush()


# -- indexes for the filters ----------------------------------------------------------------


def _ensure_indexes_after_commit(session: AsyncSession, row: CustomField) -> None:
    if not row.filterable or row.archived_at is not None:
        return
    if not repository.index_statements(dialect_name(session), row.key, row.kind):
        return
    jobs.enqueue_after_commit(session, INDEX_JOB, key=row.key, kind=row.kind)


async def ensure_indexes(db: Database, key: str, kind: str) -> None:
    """Create the indexes a filterable field's `cf.*` filters use, outside any transaction
    (PostgreSQL: CONCURRENTLY, so tickets stay writable meanwhile). Idempotent."""
    if not re.match(FIELD_KEY_PATTERN, key):
        return
    dialect = db.engine.dialect.name
    statements = repository.index_statements(dialect, key, kind)
    if not statements:
        return
    if dialect != "postgresql":  # SQLite: one writer anyway; its transactions begin by hand
        async with db.engine.begin() as conn:
            for _, statement in statements:
                await conn.exec_driver_sql(statement)
        return
    async with db.engine.connect() as conn:
        autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
        # one build at a time: two concurrent builds on one table wait for each other
        if not await autocommit.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": INDEX_LOCK}):
            raise Retry(INDEX_RETRY_SECONDS)
        try:
            for name, statement in statements:
                # a build that failed half way leaves an invalid index behind: build it anew
                if await autocommit.scalar(repository.INVALID_INDEX, {"name": name}):
                    await autocommit.exec_driver_sql(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
                await autocommit.exec_driver_sql(statement)
        except DBAPIError as exc:  # e.g. a deadlock with a schema change: try again later
            log.warning("building the index of field %s failed: %s", key, exc)
            raise Retry(INDEX_RETRY_SECONDS) from exc
        finally:
            await autocommit.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": INDEX_LOCK})


async def ensure_indexes_job(ctx: JobContext, key: str, kind: str) -> None:
    await ensure_indexes(ctx.db, key, kind)


JOBS: tuple[JobSpec, ...] = (
    JobSpec(INDEX_JOB, ensure_indexes_job, timeout_seconds=3600, max_tries=30),
)
