"""One custom field value, checked against its definition and put in its stored shape.

Stored shapes (what the API gives back): text kinds, dropdown, email, url and user (an id) are
strings; integer a JSON number; decimal a string of its exact digits (`"89.99"`, never a
float); date `"YYYY-MM-DD"`; checkbox a boolean; multi_select a list of option values.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

import regex

from ticketdesk.schemas import normalize_email, storable

NUMBER_KINDS = ("integer", "decimal")
RANGE_KINDS = ("integer", "decimal", "date")
TEXT_KINDS = ("text", "long_text", "email", "url")
OPTION_KINDS = ("dropdown", "multi_select")
DEFAULT_MAX_LENGTH = {"text": 1000, "long_text": 10_000, "url": 2000, "email": 320}
MAX_SAFE_INTEGER = 2**53 - 1  # what a JavaScript client reads back exactly
MAX_DECIMAL_DIGITS = 30
PATTERN_TIMEOUT_SECONDS = 0.05
_DECIMAL_RE = re.compile(r"^[+-]?\d{1,30}(?:\.\d{1,30})?$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class InvalidValue(ValueError):
    """The value does not fit the field; the message says how, for a person."""


@dataclass(frozen=True, slots=True)
class FieldDef:
    """A field definition as writes and filters use it (cached per process, so no ORM row)."""

    key: str
    label: str
    kind: str
    options: tuple[str, ...] = ()
    required: bool = False
    validation: dict[str, Any] = field(default_factory=dict)
    ticket_types: tuple[str, ...] | None = None
    visible_when: dict[str, Any] | None = None
    autofill: str | None = None
    filterable: bool = True
    position: int = 0
    archived: bool = False

    def used_by(self, ticket_type: str | None) -> bool:
        """Whether tickets of this type have the field (no scope: every ticket)."""
        return self.ticket_types is None or ticket_type in self.ticket_types


def is_empty(value: Any) -> bool:
    """What clears a field: null, an empty or blank text, an empty list."""
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def parse_decimal(raw: Any) -> Decimal:
    """An exact decimal from a JSON string or number (a float by its shortest repr, which is
    the digits that were written)."""
    if isinstance(raw, bool):
        raise InvalidValue('expects a decimal number such as "89.99", not a boolean')
    if isinstance(raw, int):
        text = str(raw)
    elif isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise InvalidValue("expects a finite decimal number")
        text = repr(raw)
        if "e" in text or "E" in text:
            text = format(Decimal(text), "f")
    elif isinstance(raw, str):
        text = raw.strip()
    else:
        raise InvalidValue('expects a decimal number such as "89.99"')
    if not _DECIMAL_RE.match(text):
        raise InvalidValue(
            f'expects a decimal number such as "89.99" (at most {MAX_DECIMAL_DIGITS} digits '
            "each side of the point)"
        )
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise InvalidValue("expects a decimal number") from exc


def decimal_text(value: Decimal) -> str:
    """The stored form: plain digits, no exponent, the places as given (`"89.90"` stays)."""
    text = format(value, "f")
    return "0" if text in ("-0", "+0") else text.lstrip("+")


def parse_date(raw: Any) -> date:
    if not isinstance(raw, str) or not _DATE_RE.match(raw.strip()):
        raise InvalidValue("expects a date as YYYY-MM-DD")
    try:
        return date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise InvalidValue(f"{raw.strip()!r} is not a calendar date") from exc


def parse_integer(raw: Any) -> int:
    if isinstance(raw, bool):
        raise InvalidValue("expects a whole number, not a boolean")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if not isinstance(raw, int):
        raise InvalidValue("expects a whole number")
    if abs(raw) > MAX_SAFE_INTEGER:
        raise InvalidValue(
            f"expects a whole number between -{MAX_SAFE_INTEGER} and {MAX_SAFE_INTEGER}"
        )
    return raw


def _bounds(definition: FieldDef, value: Any, parse: Any) -> None:
    rules = definition.validation or {}
    low, high = rules.get("min"), rules.get("max")
    if low is not None and value < parse(low):
        raise InvalidValue(f"must be at least {low}")
    if high is not None and value > parse(high):
        raise InvalidValue(f"must be at most {high}")


def _text(definition: FieldDef, raw: Any) -> str:
    if not isinstance(raw, str):
        raise InvalidValue("expects text")
    if not storable(raw):
        raise InvalidValue("must not contain NUL or unpaired surrogates")
    value = raw.strip()
    rules = definition.validation or {}
    limit = rules.get("max_length") or DEFAULT_MAX_LENGTH.get(definition.kind, 1000)
    if len(value) > limit:
        raise InvalidValue(f"is longer than {limit} characters")
    if definition.kind == "text" and ("\n" in value or "\r" in value):
        raise InvalidValue("is a single line (use a long text field for more)")
    return value


def _pattern(definition: FieldDef, value: str) -> None:
    pattern = (definition.validation or {}).get("pattern")
    if not pattern:
        return
    try:
        found = regex.fullmatch(pattern, value, timeout=PATTERN_TIMEOUT_SECONDS)
    except TimeoutError as exc:
        raise InvalidValue("could not be checked against the field's pattern in time") from exc
    if found is None:
        raise InvalidValue(f"does not match the pattern {pattern}")


def _url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in raw:
        raise InvalidValue("expects an http or https URL")
    return raw


def _option(definition: FieldDef, raw: Any) -> str:
    if not isinstance(raw, str):
        raise InvalidValue(f"expects one of: {', '.join(definition.options)}")
    if raw not in definition.options:
        shown = ", ".join(definition.options[:20])
        raise InvalidValue(f"{raw[:100]!r} is not an option; use one of: {shown}")
    return raw


def coerce(definition: FieldDef, raw: Any) -> Any:
    """The stored form of a non-empty value, or InvalidValue saying what is wrong with it."""
    kind = definition.kind
    if kind in TEXT_KINDS:
        value = _text(definition, raw)
        if kind == "email":
            try:
                value = normalize_email(value)
            except ValueError as exc:
                raise InvalidValue("expects an email address") from exc
        elif kind == "url":
            value = _url(value)
        _pattern(definition, value)
        return value
    if kind == "integer":
        number = parse_integer(raw)
        _bounds(definition, number, parse_decimal)
        return number
    if kind == "decimal":
        amount = parse_decimal(raw)
        _bounds(definition, amount, parse_decimal)
        return decimal_text(amount)
    if kind == "date":
        day = parse_date(raw)
        _bounds(definition, day, parse_date)
        return day.isoformat()
    if kind == "checkbox":
        if not isinstance(raw, bool):
            raise InvalidValue("expects true or false")
        return raw
    if kind == "dropdown":
        return _option(definition, raw)
    if kind == "multi_select":
        if not isinstance(raw, list):
            raise InvalidValue("expects a list of options")
        chosen = list(dict.fromkeys(_option(definition, item) for item in raw))
        rules = definition.validation or {}
        if rules.get("min") is not None and len(chosen) < int(rules["min"]):
            raise InvalidValue(f"needs at least {rules['min']} options")
        if rules.get("max") is not None and len(chosen) > int(rules["max"]):
            raise InvalidValue(f"takes at most {rules['max']} options")
        return chosen
    if kind == "user":
        if not isinstance(raw, str):
            raise InvalidValue("expects a user id")
        try:
            return str(uuid.UUID(raw))
        except ValueError as exc:
            raise InvalidValue("expects a user id") from exc
    raise InvalidValue(f"has an unknown kind {kind!r}")  # pragma: no cover


def holds(condition: dict[str, Any], actual: Any) -> bool:
    """A `visible_when` (or approval `when`) condition against the value it names."""
    op, expected = condition.get("op"), condition.get("value")
    if isinstance(actual, list):  # a multi-select holds a value when it contains it
        if op == "is":
            return expected in actual
        if op == "is_not":
            return expected not in actual
        if op == "in":
            return bool(set(actual) & set(expected or []))
        return False
    if op == "is":
        return bool(actual == expected)
    if op == "is_not":
        return bool(actual != expected)
    if op == "in":
        return actual in (expected or [])
    if op in ("gt", "gte", "lt", "lte"):
        left, right = _comparable(actual), _comparable(expected)
        if left is None or right is None or type(left) is not type(right):
            return False
        above: bool = left > right  # type: ignore[operator]
        below: bool = left < right  # type: ignore[operator]
        return {"gt": above, "gte": not below, "lt": below, "lte": not above}[op]
    return False


def _comparable(value: Any) -> Decimal | date | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return parse_decimal(value)
    except InvalidValue:
        pass
    try:
        return parse_date(value)
    except InvalidValue:
        return None
