"""Shared Pydantic building blocks: safe strings, emails, JSON objects, pages."""

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
    PlainSerializer,
    StringConstraints,
)

T = TypeVar("T")


def no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
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


def _name(max_length: int) -> StringConstraints:
    return StringConstraints(
        strip_whitespace=True, min_length=1, max_length=max_length, pattern=_ONE_LINE_PATTERN
    )


def _text(max_length: int, min_length: int = 0) -> StringConstraints:
    return StringConstraints(min_length=min_length, max_length=max_length, pattern=_NO_NUL_PATTERN)


# Required, non-blank, single-line strings (stripped), by maximum length.
Subject = Annotated[str, _name(500), _NO_NUL, _ONE_LINE]
Name200 = Annotated[str, _name(200), _NO_NUL, _ONE_LINE]
Name100 = Annotated[str, _name(100), _NO_NUL, _ONE_LINE]
Name80 = Annotated[str, _name(80), _NO_NUL, _ONE_LINE]
# Free text that may be long or multi-line, but never holds a NUL (PostgreSQL refuses them).
LongText = Annotated[str, _text(100_000), _NO_NUL]
CommentBody = Annotated[str, _text(65_536, min_length=1), _NO_NUL]
ShortText = Annotated[str, _text(64), _NO_NUL]

_EMAIL_RE = re.compile(
    r"^[^@\s\x00]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$"
)


def normalize_email(value: str) -> str:
    value = value.strip()
    if len(value) > 320 or not _EMAIL_RE.match(value):
        raise ValueError("is not a valid email address")
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}".lower()


Email = Annotated[
    str,
    StringConstraints(max_length=320),
    AfterValidator(normalize_email),
    Field(examples=["ada@example.com"]),
]

MAX_JSON_OBJECT_BYTES = 16 * 1024
MAX_JSON_DEPTH = 5


def _check_json_object(value: dict[str, Any]) -> dict[str, Any]:
    def walk(node: Any, depth: int) -> None:
        if depth > MAX_JSON_DEPTH:
            raise ValueError(f"is nested deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(node, str) and "\x00" in node:
            raise ValueError("must not contain NUL characters")
        if isinstance(node, dict):
            for key, item in node.items():
                if "\x00" in key:
                    raise ValueError("keys must not contain NUL characters")
                walk(item, depth + 1)
        elif isinstance(node, list):
            for item in node:
                walk(item, depth + 1)

    walk(value, 0)
    if len(json.dumps(value)) > MAX_JSON_OBJECT_BYTES:
        raise ValueError(f"is larger than {MAX_JSON_OBJECT_BYTES} bytes")
    return value


JsonObject = Annotated[dict[str, Any], AfterValidator(_check_json_object)]


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


class Input(BaseModel):
    """Base for request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(Output, Generic[T]):
    items: list[T]
    next_cursor: str | None
