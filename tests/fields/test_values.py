"""Each kind of field: the values it takes (in their stored, typed form) and those it refuses."""

from __future__ import annotations

import pytest

from ticketdesk.fields.values import FieldDef, InvalidValue, coerce, holds

USER = "256fb31c-fa0a-47c6-b0ae-65346f170d96"  # fixed: xdist workers must collect the same ids

GOOD = [
    ("text", {}, "  Order 78932 ", "Order 78932"),
    ("long_text", {}, "line one\nline two", "line one\nline two"),
    ("integer", {"min": 1, "max": 10}, 7, 7),
    ("integer", {}, 3.0, 3),
    ("decimal", {}, "89.99", "89.99"),
    ("decimal", {}, "89.90", "89.90"),  # the digits as given, never a float
    ("decimal", {}, 89.99, "89.99"),
    ("decimal", {}, "12345678901234567890.123456789", "12345678901234567890.123456789"),
    ("decimal", {"min": "0.01", "max": 200}, "200", "200"),
    ("dropdown", {}, "damaged", "damaged"),
    ("multi_select", {}, ["lost", "damaged", "lost"], ["lost", "damaged"]),
    ("date", {"min": "2026-01-01"}, "2026-02-28", "2026-02-28"),
    ("checkbox", {}, False, False),
    ("user", {}, USER.upper(), USER),
    ("email", {}, "Ada@Example.COM", "ada@example.com"),
    ("url", {}, "https://shop.example.com/orders/1", "https://shop.example.com/orders/1"),
    ("text", {"pattern": r"[A-Z]{2}-\d+", "max_length": 8}, "AB-123", "AB-123"),
]

BAD = [
    ("text", {}, 42, "expects text"),
    ("text", {}, "two\nlines", "single line"),
    ("text", {"max_length": 3}, "abcd", "longer than 3"),
    ("text", {"pattern": r"[A-Z]{2}-\d+"}, "ab-1", "does not match"),
    ("integer", {}, "7", "whole number"),
    ("integer", {}, 7.5, "whole number"),
    ("integer", {}, True, "not a boolean"),
    ("integer", {"max": 10}, 11, "at most 10"),
    ("integer", {}, 2**60, "between"),
    ("decimal", {}, "8,99", "decimal number"),
    ("decimal", {}, "1e5", "decimal number"),
    ("decimal", {}, True, "not a boolean"),
    ("decimal", {"max": 200}, "200.01", "at most 200"),
    ("dropdown", {}, "broken", "not an option"),
    ("dropdown", {}, ["damaged"], "one of"),
    ("multi_select", {}, "damaged", "list of options"),
    ("multi_select", {}, ["damaged", "nope"], "not an option"),
    ("multi_select", {"max": 1}, ["damaged", "lost"], "at most 1"),
    ("date", {}, "2026-02-30", "not a calendar date"),
    ("date", {}, "28/02/2026", "YYYY-MM-DD"),
    ("date", {"max": "2026-12-31"}, "2027-01-01", "at most"),
    ("checkbox", {}, "true", "true or false"),
    ("checkbox", {}, 1, "true or false"),
    ("user", {}, "bob", "user id"),
    ("email", {}, "not-an-address", "email address"),
    ("url", {}, "javascript:alert(1)", "http or https"),
    ("url", {}, "ftp://example.com/x", "http or https"),
]


def _field(kind: str, validation: dict) -> FieldDef:
    options = ("damaged", "lost") if kind in ("dropdown", "multi_select") else ()
    return FieldDef(key="f", label="F", kind=kind, options=options, validation=validation)


@pytest.mark.parametrize(("kind", "validation", "raw", "stored"), GOOD)
def test_good_values_are_stored_typed(kind, validation, raw, stored):
    value = coerce(_field(kind, validation), raw)
    assert value == stored
    assert type(value) is type(stored)


@pytest.mark.parametrize(("kind", "validation", "raw", "message"), BAD)
def test_bad_values_are_refused_saying_why(kind, validation, raw, message):
    with pytest.raises(InvalidValue) as refused:
        coerce(_field(kind, validation), raw)
    assert message in str(refused.value)


def test_every_kind_has_good_and_bad_cases():
    kinds = {
        "text", "long_text", "integer", "decimal", "dropdown", "multi_select",
        "date", "checkbox", "user", "email", "url",
    }  # fmt: skip
    assert {case[0] for case in GOOD} == kinds
    assert {case[0] for case in BAD} >= kinds - {"long_text"}


@pytest.mark.parametrize(
    ("condition", "actual", "expected"),
    [
        ({"op": "gt", "value": 200}, "200.01", True),
        ({"op": "gt", "value": 200}, "200.00", False),
        ({"op": "gte", "value": "200"}, 200, True),
        ({"op": "lt", "value": 10}, None, False),
        ({"op": "is", "value": "damaged"}, "damaged", True),
        ({"op": "is_not", "value": "damaged"}, "lost", True),
        ({"op": "in", "value": ["damaged", "lost"]}, "lost", True),
        ({"op": "is", "value": "damaged"}, ["lost", "damaged"], True),
        ({"op": "lte", "value": "2026-05-01"}, "2026-04-30", True),
    ],
)
def test_conditions_compare_exactly(condition, actual, expected):
    assert holds(condition, actual) is expected
