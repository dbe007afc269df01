"""Evaluate rule conditions against a ticket's facts (pure; no database)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import regex

log = logging.getLogger(__name__)

REGEX_TIMEOUT_SECONDS = 0.05
REGEX_MAX_INPUT = 20_000


@dataclass
class Facts:
    """What conditions can look at, loaded once per change (labels and requester lazily)."""

    subject: str
    description: str
    requester_email: str | None
    channel: str
    status: str
    status_category: str
    priority: str
    type: str | None
    category: str | None
    labels: list[str]
    assignee: uuid.UUID | None
    team: uuid.UUID | None
    custom_fields: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    status_changed_at: datetime
    now: datetime
    # `triage.<field>` and `triage.<field>_confidence`, loaded only when a rule asks
    triage: dict[str, Any] = field(default_factory=dict)

    def value(self, field: str) -> Any:
        if field.startswith("triage."):
            return self.triage.get(field)
        if field.startswith("custom_fields."):
            return self.custom_fields.get(field.removeprefix("custom_fields."))
        if field == "requester_domain":
            email = self.requester_email
            return email.rpartition("@")[2] if email else None
        if field == "hours_since_created":
            return _hours(self.now - self.created_at)
        if field == "hours_since_updated":
            return _hours(self.now - self.updated_at)
        if field == "hours_in_status":
            return _hours(self.now - self.status_changed_at)
        return getattr(self, field)


def _hours(delta: Any) -> float:
    return float(delta.total_seconds()) / 3600


class ConditionError(Exception):
    """A condition could not be evaluated (e.g. a pattern that runs too long)."""


def matches(conditions: dict[str, Any], facts: Facts) -> bool:
    """`all` must all hold and, when `any` is given, at least one of it (nested groups too)."""
    all_items = conditions.get("all") or []
    any_items = conditions.get("any") or []
    if not all(_holds(item, facts) for item in all_items):
        return False
    return not any_items or any(_holds(item, facts) for item in any_items)


def _holds(item: dict[str, Any], facts: Facts) -> bool:
    if "all" in item or "any" in item:
        return matches(item, facts)
    return evaluate(item["field"], item["op"], item.get("value"), facts.value(item["field"]))


def _norm(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str):
        return value.lower()
    return value


def evaluate(field: str, op: str, expected: Any, actual: Any) -> bool:
    """One comparison; text comparisons ignore case; labels compare as a set."""
    if op == "is_empty":
        return actual in (None, "", [], {})
    if isinstance(actual, list):  # labels
        have = {_norm(v) for v in actual}
        if op in ("is", "contains"):
            return _norm(expected) in have
        if op in ("is_not", "not_contains"):
            return _norm(expected) not in have
        if op == "in":
            return bool(have & {_norm(v) for v in expected})
        if op == "starts_with":
            return any(str(v).startswith(_norm(expected)) for v in have)
        if op == "matches":
            return any(_search(expected, str(v)) for v in actual)
        return False
    if op == "is":
        return bool(_norm(actual) == _norm(expected))
    if op == "is_not":
        return bool(_norm(actual) != _norm(expected))
    if op == "in":
        return bool(_norm(actual) in {_norm(v) for v in expected})
    if op in ("gt", "gte", "lt", "lte"):
        number = _number(actual)
        if number is None:
            return False
        return bool(
            {
                "gt": number > expected,
                "gte": number >= expected,
                "lt": number < expected,
                "lte": number <= expected,
            }[op]
        )
    if actual is None:
        return op == "not_contains"
    text = str(actual)
    if op == "contains":
        return str(expected).lower() in text.lower()
    if op == "not_contains":
        return str(expected).lower() not in text.lower()
    if op == "starts_with":
        return text.lower().startswith(str(expected).lower())
    if op == "matches":
        return _search(expected, text)
    return False


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def _search(pattern: str, text: str) -> bool:
    """A case-insensitive regex search that gives up after a few milliseconds."""
    try:
        return (
            regex.search(
                pattern,
                text[:REGEX_MAX_INPUT],
                flags=regex.IGNORECASE,
                timeout=REGEX_TIMEOUT_SECONDS,
            )
            is not None
        )
    except TimeoutError as exc:
        raise ConditionError(f"the pattern {pattern!r} took too long") from exc
    except regex.error as exc:
        raise ConditionError(f"invalid pattern {pattern!r}: {exc}") from exc
