"""Each condition operator on its own (pure, no database)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from ticketdesk.automations.conditions import Facts, evaluate, matches
from ticketdesk.automations.schemas import AutomationCreate

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
AGENT = uuid.UUID(
    "9843d0b3-9bfc-46bf-a268-e339cca733cb"
)  # fixed: xdist workers must collect the same ids


def facts(**overrides) -> Facts:
    base = dict(
        subject="Refund for order 78932",
        description="Please refund me",
        requester_email="ada@example.com",
        channel="email",
        status="open",
        status_category="open",
        priority="high",
        type="question",
        category=None,
        labels=["billing", "vip"],
        assignee=AGENT,
        team=None,
        custom_fields={"order_id": "78932", "amount": 120},
        created_at=NOW - timedelta(hours=80),
        updated_at=NOW - timedelta(hours=5),
        status_changed_at=NOW - timedelta(hours=73),
        now=NOW,
    )
    return Facts(**{**base, **overrides})


@pytest.mark.parametrize(
    ("field", "op", "value", "expected"),
    [
        ("subject", "is", "refund for order 78932", True),
        ("subject", "is_not", "Refund", True),
        ("subject", "contains", "REFUND", True),
        ("subject", "not_contains", "invoice", True),
        ("subject", "starts_with", "refund", True),
        ("subject", "starts_with", "order", False),
        ("subject", "matches", r"order \d{5}$", True),
        ("subject", "matches", r"^order", False),
        ("description", "contains", "refund me", True),
        ("requester_email", "is", "ada@example.com", True),
        ("requester_domain", "is", "example.com", True),
        ("requester_domain", "in", ["example.org", "example.com"], True),
        ("channel", "in", ["chat", "form"], False),
        ("status", "is", "open", True),
        ("priority", "is_not", "low", True),
        ("type", "is", "question", True),
        ("category", "is_empty", None, True),
        ("category", "is", None, True),
        ("labels", "contains", "vip", True),
        ("labels", "not_contains", "spam", True),
        ("labels", "in", ["spam", "billing"], True),
        ("labels", "is_empty", None, False),
        ("assignee", "is", str(AGENT), True),
        ("team", "is_empty", None, True),
        ("custom_fields.order_id", "is", "78932", True),
        ("custom_fields.amount", "gt", 100, True),
        ("custom_fields.amount", "lte", 100, False),
        ("custom_fields.missing", "is_empty", None, True),
        ("hours_since_created", "gte", 80, True),
        ("hours_since_updated", "lt", 6, True),
        ("hours_in_status", "gt", 72, True),
        ("hours_in_status", "lte", 72, False),
    ],
)
def test_operator(field, op, value, expected):
    f = facts()
    assert evaluate(field, op, value, f.value(field)) is expected


def test_all_and_any_groups_nest():
    f = facts()
    rule = {
        "all": [{"field": "priority", "op": "is", "value": "high"}],
        "any": [
            {"field": "subject", "op": "contains", "value": "nope"},
            {
                "all": [
                    {"field": "labels", "op": "contains", "value": "vip"},
                    {"field": "channel", "op": "is", "value": "email"},
                ]
            },
        ],
    }
    assert matches(rule, f)
    assert not matches({**rule, "all": [{"field": "priority", "op": "is", "value": "low"}]}, f)
    assert matches({}, f)  # no conditions: always


@pytest.mark.parametrize(
    "condition",
    [
        {"field": "nope", "op": "is", "value": "x"},
        {"field": "subject", "op": "gt", "value": "x"},
        {"field": "subject", "op": "matches", "value": "(unclosed"},
        {"field": "subject", "op": "matches", "value": "a" * 201},
        {"field": "subject", "op": "in", "value": "not a list"},
        {"field": "subject", "op": "contains", "value": "nul\x00"},
        {"field": "hours_in_status", "op": "gte", "value": 1e300},
    ],
)
def test_invalid_conditions_are_refused(condition):
    with pytest.raises(ValidationError):
        AutomationCreate.model_validate(
            {
                "name": "x",
                "trigger": "ticket.created",
                "conditions": {"all": [condition]},
                "actions": [{"type": "set_priority", "value": "high"}],
            }
        )
