"""Finding tickets by custom field: `cf.<key>=a,b`, ranges, set/unset; in the list, the
stats, saved views and the CSV export."""

from __future__ import annotations

import csv
import io

import pytest

from tests.fields.helpers import define, error_locs


@pytest.fixture
async def desk(tenant):
    await define(
        tenant,
        key="reason",
        label="Reason",
        kind="dropdown",
        options=[{"value": v, "label": v.title()} for v in ("damaged", "lost", "unwanted")],
    )
    await define(tenant, key="amount", label="Amount", kind="decimal")
    await define(tenant, key="units", label="Units", kind="integer")
    await define(tenant, key="due", label="Due", kind="date")
    await define(tenant, key="vip", label="VIP", kind="checkbox")
    await define(
        tenant,
        key="tags",
        label="Tags",
        kind="multi_select",
        options=[{"value": v, "label": v} for v in ("eu", "us", "fragile")],
    )
    rows = [
        {"reason": "damaged", "amount": "89.99", "units": 1, "due": "2026-03-01", "vip": True},
        {"reason": "lost", "amount": "250.00", "units": 3, "tags": ["eu", "fragile"]},
        {"reason": "damaged", "amount": "1000", "units": 10, "due": "2026-05-01", "vip": False},
        {"tags": ["us"]},
    ]
    for values in rows:
        await tenant.create_ticket(custom_fields=values)
    return tenant


async def keys(tenant, **params):
    response = await tenant.get("/tickets", params=params)
    assert response.status_code == 200, response.text
    return sorted(t["key"] for t in response.json()["items"])


async def test_equality_any_of(desk):
    assert await keys(desk, **{"cf.reason": "damaged"}) == ["TKT-1", "TKT-3"]
    assert await keys(desk, **{"cf.reason": "lost,unwanted"}) == ["TKT-2"]
    assert await keys(desk, **{"cf.units": "3,10"}) == ["TKT-2", "TKT-3"]
    assert await keys(desk, **{"cf.amount": "250"}) == ["TKT-2"]  # numerically equal
    assert await keys(desk, **{"cf.vip": "true"}) == ["TKT-1"]
    assert await keys(desk, **{"cf.vip": "false"}) == ["TKT-3"]
    assert await keys(desk, **{"cf.tags": "fragile"}) == ["TKT-2"]
    assert await keys(desk, **{"cf.tags": "us,eu"}) == ["TKT-2", "TKT-4"]
    both = await desk.get("/tickets?cf.tags=eu&cf.tags=fragile")  # all of them
    assert [t["key"] for t in both.json()["items"]] == ["TKT-2"]


async def test_ranges_are_exact(desk):
    assert await keys(desk, **{"cf.amount.gte": "89.99"}) == ["TKT-1", "TKT-2", "TKT-3"]
    assert await keys(desk, **{"cf.amount.gte": "90", "cf.amount.lte": "250.00"}) == ["TKT-2"]
    assert await keys(desk, **{"cf.units.lte": "3"}) == ["TKT-1", "TKT-2"]
    assert await keys(desk, **{"cf.due.gte": "2026-04-01"}) == ["TKT-3"]
    assert await keys(desk, **{"cf.due.lte": "2026-12-31"}) == ["TKT-1", "TKT-3"]


async def test_set_and_unset(desk):
    assert await keys(desk, **{"cf.due.set": "true"}) == ["TKT-1", "TKT-3"]
    assert await keys(desk, **{"cf.reason.set": "false"}) == ["TKT-4"]


async def test_filters_combine_with_the_others_and_the_stats(desk):
    await desk.patch("/tickets/TKT-3", json={"priority": "urgent"})
    assert await keys(desk, priority="urgent", **{"cf.reason": "damaged"}) == ["TKT-3"]
    stats = await desk.get("/tickets/stats", params={"cf.reason": "damaged"})
    assert stats.status_code == 200 and stats.json()["total"] == 2


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("cf.units.gte", "many"),
        ("cf.amount.lte", "1,5"),
        ("cf.due.gte", "soon"),
        ("cf.reason.gte", "a"),  # a dropdown has no range
        ("cf.nope.gte", "1"),
        ("cf.vip", "yes"),
        ("cf.reason.set", "maybe"),
        ("cf.Bad", "x"),
        ("cf.reason.between", "x"),
    ],
)
async def test_bad_filters_are_a_422_naming_them(desk, param, value):
    response = await desk.get("/tickets", params={param: value})
    assert response.status_code == 422, response.text
    assert error_locs(response) == [["query", param]]


async def test_unknown_parameters_are_still_refused(desk):
    response = await desk.get("/tickets", params={"cfreason": "x"})
    assert response.status_code == 422
    assert "cf.*" in response.json()["errors"][0]["msg"]


async def test_free_form_keys_filter_as_text(tenant):
    await tenant.create_ticket(custom_fields={"plan": "pro"})
    await tenant.create_ticket(custom_fields={"plan": "free"})
    assert await keys(tenant, **{"cf.plan": "pro"}) == ["TKT-1"]
    assert await keys(tenant, **{"cf.plan.set": "true"}) == ["TKT-1", "TKT-2"]


async def test_saved_views_keep_custom_field_filters(desk):
    created = await desk.post(
        "/views",
        json={"name": "Big damage", "filters": {"cf.reason": "damaged", "cf.amount.gte": "100"}},
    )
    assert created.status_code == 201, created.text
    filters = created.json()["filters"]
    assert filters == {"cf.reason": "damaged", "cf.amount.gte": "100"}
    assert await keys(desk, **filters) == ["TKT-3"]
    bad = await desk.post("/views", json={"name": "x", "filters": {"cf.Reason": "damaged"}})
    assert bad.status_code == 422
    other = await desk.post("/views", json={"name": "x", "filters": {"colour": "red"}})
    assert other.status_code == 422


async def test_the_export_has_a_column_per_field_and_keeps_free_form_values(tenant):
    legacy = await tenant.create_ticket(custom_fields={"legacy_id": "Z-1"})
    await define(tenant, key="reason", label="Reason", kind="text")
    await define(tenant, key="amount", label="Amount", kind="decimal")
    await tenant.create_ticket(custom_fields={"amount": "89.99", "reason": "dented"})
    response = await tenant.get("/tickets/export.csv", params={"sort": "created_at"})
    assert response.status_code == 200, response.text
    rows = list(csv.reader(io.StringIO(response.text)))
    header = rows[0]
    custom = [h for h in header if h.startswith("custom_fields.")]
    assert custom == ["custom_fields.reason", "custom_fields.amount", "custom_fields.legacy_id"]
    by_key = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_key[legacy["key"]]["custom_fields.legacy_id"] == "Z-1"
    assert by_key["TKT-2"]["custom_fields.amount"] == "89.99"
    only = await tenant.get("/tickets/export.csv", params={"cf.reason": "dented"})
    assert len(list(csv.reader(io.StringIO(only.text)))) == 2
