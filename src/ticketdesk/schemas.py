"""Shared Pydantic building blocks: safe strings, emails, JSON values, strict numbers, pages.

Every request body derives from `Input`, which refuses text the database cannot store (NUL,
unpaired surrogates) anywhere in the body, free-form JSON included, with the exact `loc`.
Numbers and flags in bodies are JSON-strict: `false` is not 0 and `0` is not false.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    PlainSerializer,
    Strict,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, InitErrorDetails, PydanticCustomError

T = TypeVar("T")


UNSTORABLE_TEXT = (
    "must not contain NUL (U+0000) or unpaired surrogates (U+D800-U+DFFF): no database stores them"
)


def storable(value: str) -> bool:
    """Whether PostgreSQL and SQLite can store this text: no NUL, valid Unicode (no lone
    surrogates, which JSON's `\\udc00` escapes can produce)."""
    if "\x00" in value:
        return False
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def unstorable_paths(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Where, inside a validated value, text holds what the database cannot store (dict keys
    included). Nested `Input` models are skipped: they checked themselves."""
    if isinstance(value, str):
        return [] if storable(value) else [path]
    if isinstance(value, BaseModel):
        return []
    found: list[tuple[str | int, ...]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and not storable(key):
                found.append((*path, key))
            else:
                found.extend(unstorable_paths(item, (*path, key)))
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            found.extend(unstorable_paths(item, (*path, index)))
    return found


def no_nul(value: str) -> str:
    if not storable(value):
        raise ValueError(UNSTORABLE_TEXT)
    return value


def _single_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError("must be a single line")
    return value


_NO_NUL = AfterValidator(no_nul)
_ONE_LINE = AfterValidator(_single_line)


# Documented in the schema too, so clients (and schema fuzzers) know NUL is not text here.
_NO_NUL_PATTERN = r"^[^\x00]*$"
_ONE_LINE_PATTERN = r"^[^\x00\r\n]*$"
# Whitespace as str.strip() sees it besides line breaks, spelled out (regex engines disagree
# on what `\s` is).
SPACE = r"\t\x0b\x0c\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# One line with something besides whitespace in it.
NAME_PATTERN = rf"^[{SPACE}]*[^{SPACE}\x00\r\n][^\x00\r\n]*$"
# Any text with something besides whitespace in it.
NON_BLANK_PATTERN = rf"^[{SPACE}\r\n]*[^{SPACE}\r\n\x00][^\x00]*$"


def _strip(value: str) -> str:
    return value.strip()


# Strips surrounding whitespace after the length limits, so that they count what was sent
# (the schema's maxLength), as `strip_whitespace` (before them) would not.
STRIP = AfterValidator(_strip)


def _name(max_length: int) -> StringConstraints:
    return StringConstraints(min_length=1, max_length=max_length, pattern=NAME_PATTERN)


def _text(max_length: int, min_length: int = 0) -> StringConstraints:
    return StringConstraints(min_length=min_length, max_length=max_length, pattern=_NO_NUL_PATTERN)


# Required, non-blank, single-line strings (stripped), by maximum length.
Subject = Annotated[str, _name(500), _NO_NUL, _ONE_LINE, STRIP]
Name200 = Annotated[str, _name(200), _NO_NUL, _ONE_LINE, STRIP]
Name100 = Annotated[str, _name(100), _NO_NUL, _ONE_LINE, STRIP]
Name80 = Annotated[str, _name(80), _NO_NUL, _ONE_LINE, STRIP]
# Free text that may be long or multi-line, but never holds a NUL (PostgreSQL refuses them).
LongText = Annotated[str, _text(100_000), _NO_NUL]
CommentBody = Annotated[str, _text(65_536, min_length=1), _NO_NUL]
ShortText = Annotated[str, _text(64), _NO_NUL]

# An address: a local part without spaces or control characters (C0 and C1; other non-ASCII
# letters are allowed, RFC 6531), a dot-separated DNS name.
_EMAIL_LOCAL = (
    r"[^@\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]{1,64}"
)
_DNS_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
_EMAIL_ADDRESS = rf"{_EMAIL_LOCAL}@{_DNS_LABEL}(?:\.{_DNS_LABEL})+"
_EMAIL_RE = re.compile(rf"^{_EMAIL_ADDRESS}$")
# What an Email input accepts, stated in the schema: the address, maybe padded with spaces.
EMAIL_PATTERN = rf"^[\t\n\r ]*{_EMAIL_ADDRESS}[\t\n\r ]*$"


def normalize_email(value: str) -> str:
    value = value.strip()
    if len(value) > 320 or not _EMAIL_RE.match(value):
        raise ValueError("is not a valid email address")
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}".lower()


Email = Annotated[
    str,
    StringConstraints(max_length=320, pattern=EMAIL_PATTERN),
    AfterValidator(normalize_email),
    Field(
        examples=["ada@example.com"],
        description="an email address (stored in lower case)",
    ),
]

MAX_JSON_OBJECT_BYTES = 16 * 1024
MAX_JSON_DEPTH = 5


def _check_json_object(value: dict[str, Any]) -> dict[str, Any]:
    def walk(node: Any, depth: int) -> None:
        if depth > MAX_JSON_DEPTH:
            raise ValueError(f"is nested deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(node, dict):
            for item in node.values():
                walk(item, depth + 1)
        elif isinstance(node, list):
            for item in node:
                walk(item, depth + 1)

    _refuse_unstorable(value, "JSON object")
    walk(value, 0)
    if len(json.dumps(value)) > MAX_JSON_OBJECT_BYTES:
        raise ValueError(f"is larger than {MAX_JSON_OBJECT_BYTES} bytes")
    return value


def _refuse_unstorable(value: Any, title: str) -> None:
    """A ValidationError whose `loc` points inside `value` at each unstorable text."""
    paths = unstorable_paths(value)
    if paths:
        raise ValidationError.from_exception_data(
            title,
            [
                InitErrorDetails(
                    type=PydanticCustomError("unstorable_text", UNSTORABLE_TEXT), loc=path, input=""
                )
                for path in paths[:20]
            ],
        )


# A free-form JSON object (at most 16 KB, 5 levels deep); its text is storable.
JsonObject = Annotated[
    dict[str, Any],
    AfterValidator(_check_json_object),
    Field(
        description=f"a JSON object of at most {MAX_JSON_OBJECT_BYTES} bytes, nested at most "
        f"{MAX_JSON_DEPTH} levels; no text in it may contain NUL"
    ),
]


def _storable_json(value: Any) -> Any:
    _refuse_unstorable(value, "JSON value")
    return value


# Any JSON value (the rules that read it say which shapes they take); its text is storable.
JsonValue = Annotated[Any, AfterValidator(_storable_json)]


def _without_null(schema: dict[str, Any]) -> None:
    branches = [branch for branch in schema.pop("anyOf", []) if branch.get("type") != "null"]
    if len(branches) == 1:
        schema.update(branches[0])
    elif branches:
        schema["anyOf"] = branches
    if "default" in schema and schema["default"] is None:
        del schema["default"]


# Metadata for a PATCH field `Annotated[X | None, NotNullable] = None` that may be left out but
# not sent as null (the model or its service refuses null): the schema shows X without null.
# Plain `X | None` keeps error locations clean, which `X | SkipJsonSchema[None]` does not.
NotNullable = Field(json_schema_extra=_without_null)


def _integral(value: Any) -> Any:
    """JSON has one number type: 3.0 is the integer 3 (JSON Schema agrees); a bool is not."""
    if type(value) is float and value.is_integer():
        return int(value)
    return value


# A JSON integer: `3` or `3.0`, never `true`, `"3"` or `3.5`.
JsonInt = Annotated[int, BeforeValidator(_integral), Strict()]
# A JSON boolean: `true`/`false`, never `0`, `1` or `"true"`.
Flag = Annotated[bool, Strict()]


_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:?\d{2})?$"
)


def _rfc3339(value: Any) -> Any:
    """Only RFC 3339 strings are times here (pydantic alone also takes numbers as epochs)."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _RFC3339.match(value):
        raise ValueError("must be an RFC 3339 timestamp such as 2026-11-21T09:30:00Z")
    return value


def aware(value: datetime) -> datetime:
    """The time as given, or in UTC when it has no offset."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# An input time written in RFC 3339 (its offset, or none, as given).
Rfc3339Time = Annotated[datetime, BeforeValidator(_rfc3339)]
# An input timestamp: RFC 3339, UTC assumed when no offset is given.
Timestamp = Annotated[Rfc3339Time, AfterValidator(aware)]


def rfc3339(value: datetime) -> str:
    """How every time leaves ticketdesk: RFC 3339 in UTC, whole seconds (`2026-11-21T09:30:00Z`)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


UtcDateTime = Annotated[datetime, PlainSerializer(rfc3339, return_type=str)]


# pydantic names a bound it cannot push into a wrapped int (JsonInt) by its Python name
_JSON_SCHEMA_BOUNDS = {
    "ge": "minimum",
    "le": "maximum",
    "gt": "exclusiveMinimum",
    "lt": "exclusiveMaximum",
}


def _document_input(schema: dict[str, Any]) -> None:
    """Say in the schema what `Input` enforces: every string property gets a pattern that
    excludes NUL (unless it has a pattern, a format or a fixed set of values), and integer
    bounds carry their JSON Schema names."""

    def mark(node: Any) -> None:
        if not isinstance(node, dict) or "$ref" in node:
            return
        if node.get("type") == "string" and not {"pattern", "format", "enum", "const"} & set(node):
            node["pattern"] = _NO_NUL_PATTERN
        if node.get("type") == "integer":
            for python_name, json_name in _JSON_SCHEMA_BOUNDS.items():
                if python_name in node:
                    node[json_name] = node.pop(python_name)
        for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
            for child in node.get(key, []):
                mark(child)
        for key in ("items", "additionalProperties"):
            mark(node.get(key))

    for prop in schema.get("properties", {}).values():
        mark(prop)


class Input(BaseModel):
    """Base for request bodies: unknown fields are an error, not silently dropped; text the
    database cannot store is refused anywhere in the body, with its exact `loc`."""

    model_config = ConfigDict(extra="forbid")

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        _document_input(handler.resolve_ref_schema(schema))
        return schema

    @model_validator(mode="after")
    def _refuse_unstorable_text(self) -> Input:
        # after validation: values are typed, and nested models have checked themselves
        _refuse_unstorable(self.__dict__, type(self).__name__)
        return self


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(Output, Generic[T]):
    items: list[T]
    next_cursor: str | None
