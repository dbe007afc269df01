"""The reports API: buckets in the asked time zone, groups, filters, CSV, the rollups agreeing
with the exact counts, tenant isolation, and bad parameters refused with a 422."""

from __future__ import annotations

import csv
import io

import pytest

from tests.reports.helpers import move, z

WINDOW = "from=2026-11-01T00:00:00Z&to=2026-11-08T00:00:00Z"


async def _import(tenant, created_at: str, **body) -> dict:
    response = await tenant.post(
        "/tickets/import", json={"subject": "Imported", "created_at": created_at, **body}
    )
    assert response.status_code == 201, response.text
    return response.json()


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _series(report: dict) -> dict:
    return {
        s["key"]: dict(zip(report["buckets"], s["counts"], strict=True)) for s in report["series"]
    }


async def test_days_are_local_to_the_asked_time_zone_at_midnight(tenant):
    await _import(tenant, "2026-11-01T23:30:00Z")
    await _import(tenant, "2026-11-02T00:30:00Z")
    utc = (await tenant.get(f"/reports/volume?{WINDOW}&tz=UTC")).json()
    assert _series(utc)[None]["2026-11-01"] == 1 and _series(utc)[None]["2026-11-02"] == 1
    berlin = (await tenant.get(f"/reports/volume?{WINDOW}&tz=Europe/Berlin")).json()
    assert _series(berlin)[None]["2026-11-02"] == 2  # 00:30 and 01:30 local
    assert berlin["buckets"][0] == "2026-11-01" and berlin["tz"] == "Europe/Berlin"
    york = (await tenant.get(f"/reports/volume?{WINDOW}&tz=America/New_York")).json()
    assert _series(york)[None]["2026-11-01"] == 2  # 18:30 and 19:30 local
    weeks = (await tenant.get(f"/reports/volume?{WINDOW}&interval=week&tz=UTC")).json()
    assert weeks["buckets"] == ["2026-10-26", "2026-11-02"]  # ISO weeks start on Monday
    assert weeks["series"][0]["counts"] == [1, 1]
    months = (await tenant.get(f"/reports/volume?{WINDOW}&interval=month")).json()
    assert months["buckets"] == ["2026-11-01"] and months["total"] == 2
    assert utc["source"] == "exact"


async def test_solved_and_backlog_follow_reopens(tenant, db):
    ws = tenant.workspace_id
    first = await _import(tenant, "2026-11-02T09:00:00Z", priority="high")
    second = await _import(tenant, "2026-11-02T10:00:00Z")
    await move(db, first["key"], ws, "resolved", z("2026-11-03T09:00:00Z"))
    await move(db, first["key"], ws, "open", z("2026-11-04T09:00:00Z"))
    await move(db, first["key"], ws, "resolved", z("2026-11-05T09:00:00Z"))
    await move(db, second["key"], ws, "closed", z("2026-11-06T09:00:00Z"))
    solved = (await tenant.get(f"/reports/volume?{WINDOW}&metric=solved&tz=UTC")).json()
    assert _series(solved)[None] == {
        "2026-11-01": 0,
        "2026-11-02": 0,
        "2026-11-03": 0,  # that solve was undone by the reopen: the last solve counts
        "2026-11-04": 0,
        "2026-11-05": 1,
        "2026-11-06": 1,
        "2026-11-07": 0,
    }
    expected = [0, 2, 1, 2, 1, 0, 0]
    for source in ("exact", "rollup"):
        backlog = (
            await tenant.get(f"/reports/volume?{WINDOW}&metric=backlog&tz=UTC&source={source}")
        ).json()
        assert backlog["source"] == source
        assert backlog["series"][0]["counts"] == expected, source
    by_priority = (
        await tenant.get(f"/reports/volume?{WINDOW}&metric=backlog&group_by=priority&tz=UTC")
    ).json()
    assert _series(by_priority)["high"]["2026-11-04"] == 1
    assert _series(by_priority)["normal"]["2026-11-06"] == 0


async def test_the_rollups_agree_with_the_exact_counts(tenant, db):
    agent = tenant.users["agent"]
    for day, reply_after in (("02", 30), ("03", 90), ("03", 10), ("05", 600)):
        ticket = await _import(
            tenant,
            f"2026-11-{day}T08:00:00Z",
            labels=["refund"] if reply_after > 20 else [],
            comments=[
                {
                    "body": "On it",
                    "created_at": f"2026-11-{day}T{clock(8 * 60 + reply_after)}:00Z",
                    "author_email": agent["email"],
                }
            ],
        )
        await move(
            db, ticket["key"], tenant.workspace_id, "resolved", z(f"2026-11-{day}T20:00:00Z")
        )
    for group in ("", "&group_by=label", "&group_by=channel"):
        exact = (await tenant.get(f"/reports/volume?{WINDOW}{group}&source=exact")).json()
        rollup = (await tenant.get(f"/reports/volume?{WINDOW}{group}&source=rollup")).json()
        assert (exact["source"], rollup["source"]) == ("exact", "rollup")
        assert _series(exact) == _series(rollup), group
    exact = (await tenant.get(f"/reports/response-times?{WINDOW}&source=exact")).json()
    rollup = (await tenant.get(f"/reports/response-times?{WINDOW}&source=rollup")).json()
    assert exact["rows"][0]["tickets"] == rollup["rows"][0]["tickets"] == 4
    first, estimate = exact["rows"][0]["first_response"], rollup["rows"][0]["first_response"]
    assert first["calendar"]["avg"] == estimate["calendar"]["avg"] == (30 + 90 + 10 + 600) / 4
    assert first["calendar"]["median"] == 60.0  # 30 and 90
    assert abs(estimate["calendar"]["median"] - 60) / 60 < 0.3  # within its bucket
    assert exact["rows"][0]["resolution"]["calendar"]["median"] == 12 * 60


async def test_response_times_per_agent_and_the_agents_report(tenant, db):
    agent = tenant.users["agent"]
    mine = await _import(
        tenant,
        "2026-11-02T08:00:00Z",
        assignee_id=agent["id"],
        comments=[
            {"body": "a", "created_at": "2026-11-02T08:20:00Z", "author_email": agent["email"]},
            {"body": "b", "created_at": "2026-11-02T08:40:00Z", "author_email": agent["email"]},
        ],
    )
    await move(db, mine["key"], tenant.workspace_id, "resolved", z("2026-11-02T09:00:00Z"))
    await move(db, mine["key"], tenant.workspace_id, "open", z("2026-11-02T10:00:00Z"))
    await move(db, mine["key"], tenant.workspace_id, "resolved", z("2026-11-02T11:00:00Z"))
    quick = await _import(
        tenant,
        "2026-11-03T08:00:00Z",
        assignee_id=agent["id"],
        comments=[
            {"body": "a", "created_at": "2026-11-03T08:05:00Z", "author_email": agent["email"]}
        ],
    )
    await move(db, quick["key"], tenant.workspace_id, "resolved", z("2026-11-03T08:30:00Z"))
    await _import(tenant, "2026-11-04T08:00:00Z")  # nobody's
    times = (await tenant.get(f"/reports/response-times?{WINDOW}&group_by=agent")).json()
    rows = {r["key"]: r for r in times["rows"]}
    assert rows[agent["id"]]["name"] == agent["name"] and rows[agent["id"]]["tickets"] == 2
    assert rows[agent["id"]]["first_response"]["calendar"]["median"] == (20 + 5) / 2
    assert rows[agent["id"]]["resolution"]["calendar"]["avg"] == (180 + 30) / 2
    assert rows[None]["first_response"]["calendar"]["median"] is None
    report = (await tenant.get(f"/reports/agents?{WINDOW}", role="viewer")).json()
    row = next(r for r in report["rows"] if r["key"] == agent["id"])
    assert (row["assigned"], row["solved"], row["reopened"], row["one_touch"]) == (2, 2, 1, 1)
    as_csv = await tenant.get(f"/reports/agents?{WINDOW}", headers={"Accept": "text/csv"})
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert {r["key"]: r["assigned"] for r in table} == {agent["id"]: "2", "": "1"}


async def test_queue_filters_narrow_every_report(tenant):
    await _import(tenant, "2026-11-02T08:00:00Z", priority="urgent", labels=["vip"])
    await _import(tenant, "2026-11-02T09:00:00Z", priority="low")
    urgent = (await tenant.get(f"/reports/volume?{WINDOW}&priority=urgent")).json()
    assert urgent["total"] == 1 and urgent["source"] == "exact"
    vip = (await tenant.get(f"/reports/response-times?{WINDOW}&label=vip")).json()
    assert vip["rows"][0]["tickets"] == 1
    both = (await tenant.get(f"/reports/volume?{WINDOW}&group_by=priority")).json()
    assert {s["key"]: s["total"] for s in both["series"]} == {"low": 1, "urgent": 1}
    refused = await tenant.get(f"/reports/volume?{WINDOW}&priority=low&source=rollup")
    assert refused.status_code == 422, refused.text


async def test_custom_field_analytics_counts_options_and_sums_decimals_exactly(tenant):
    for body in (
        {
            "key": "reason",
            "label": "Reason",
            "kind": "dropdown",
            "options": [
                {"value": "damaged", "label": "Damaged"},
                {"value": "late", "label": "Late"},
            ],
        },
        {"key": "refund", "label": "Refund", "kind": "decimal"},
    ):
        created = await tenant.post("/custom-fields", json=body)
        assert created.status_code == 201, created.text
    for reason, refund in (
        ("damaged", "10.10"),
        ("damaged", "0.20"),
        ("late", "89.99"),
        (None, None),
    ):
        values = {k: v for k, v in (("reason", reason), ("refund", refund)) if v is not None}
        await _import(tenant, "2026-11-02T08:00:00Z", custom_fields=values)
    counted = (await tenant.get(f"/reports/fields?{WINDOW}&field=cf.reason")).json()
    assert counted["rows"] == [
        {
            "key": None,
            "name": None,
            "tickets": 3,
            "value": None,
            "options": [{"value": "damaged", "count": 2}, {"value": "late", "count": 1}],
        }
    ]
    summed = (await tenant.get(f"/reports/fields?{WINDOW}&field=cf.refund&agg=sum")).json()
    assert summed["rows"][0]["value"] == "100.29" and summed["rows"][0]["tickets"] == 3
    grouped = (
        await tenant.get(f"/reports/fields?{WINDOW}&field=cf.refund&agg=max&group_by=cf.reason")
    ).json()
    assert {r["key"]: r["value"] for r in grouped["rows"]} == {"damaged": "10.10", "late": "89.99"}
    by_reason = (await tenant.get(f"/reports/volume?{WINDOW}&group_by=cf.reason")).json()
    assert {s["key"]: s["total"] for s in by_reason["series"]} == {
        "damaged": 2,
        "late": 1,
        None: 1,
    }
    wrong = await tenant.get(f"/reports/fields?{WINDOW}&field=cf.reason&agg=sum")
    assert wrong.status_code == 422


async def test_field_analytics_count_a_list_under_each_of_its_values(tenant):
    """A multi-select counts each option it holds; grouped by labels (or another
    multi-select), a ticket counts under each of its values, and one with none under null."""
    for body in (
        {
            "key": "tags",
            "label": "Tags",
            "kind": "multi_select",
            "options": [{"value": v, "label": v.title()} for v in ("gift", "bulk", "fragile")],
        },
        {"key": "units", "label": "Units", "kind": "integer"},
    ):
        created = await tenant.post("/custom-fields", json=body)
        assert created.status_code == 201, created.text
    for tags, units, labels in (
        (["gift", "bulk"], 3, ["vip", "eu"]),
        (["bulk"], 4, ["eu"]),
        ([], 5, []),
        (["fragile"], None, ["vip"]),
    ):
        values = {"tags": tags, **({"units": units} if units is not None else {})}
        await _import(tenant, "2026-11-03T08:00:00Z", custom_fields=values, labels=labels)
    report = (await tenant.get(f"/reports/fields?{WINDOW}&field=cf.tags&group_by=label")).json()
    assert {r["key"]: (r["tickets"], r["options"]) for r in report["rows"]} == {
        "eu": (2, [{"value": "gift", "count": 1}, {"value": "bulk", "count": 2}]),
        "vip": (
            2,
            [
                {"value": "gift", "count": 1},
                {"value": "bulk", "count": 1},
                {"value": "fragile", "count": 1},
            ],
        ),
    }
    by_tag = (
        await tenant.get(f"/reports/fields?{WINDOW}&field=cf.units&agg=avg&group_by=cf.tags")
    ).json()
    assert {r["key"]: (r["tickets"], r["value"]) for r in by_tag["rows"]} == {
        "bulk": (2, "3.5"),
        "gift": (1, "3"),
        None: (1, "5"),
    }


async def test_sla_compliance_with_near_misses(tenant):
    policy = await tenant.post(
        "/sla-policies",
        json={"name": "Fast", "targets": {"normal": {"first_response_minutes": 60}}},
    )
    assert policy.status_code == 201, policy.text
    agent = tenant.users["agent"]
    for minutes_to_reply in (10, 50, 90):
        await _import(
            tenant,
            "2026-11-02T08:00:00Z",
            comments=[
                {
                    "body": "Hi",
                    "created_at": f"2026-11-02T{clock(8 * 60 + minutes_to_reply)}:00Z",
                    "author_email": agent["email"],
                }
            ],
        )
    await _import(tenant, "2026-11-02T08:00:00Z")  # never answered, long overdue
    report = (await tenant.get(f"/reports/sla?{WINDOW}")).json()
    assert len(report["rows"]) == 1
    row = report["rows"][0]
    assert (row["policy"], row["priority"], row["tickets"]) == ("Fast", "normal", 4)
    assert row["first_response"] == {
        "tickets": 4,
        "met": 2,
        "breached": 2,
        "breach_rate": 0.5,
        "near_miss": 1,
    }
    assert row["resolution"]["tickets"] == 0


async def test_csat_report_scores_good_over_good_and_bad(tenant, db):
    import uuid

    from ticketdesk import events
    from ticketdesk.models import Ticket, Workspace
    from ticketdesk.reports import service as reports

    for rating, good in ((5, True), ("good", True), (2, False), (None, None)):
        ticket = await tenant.create_ticket(subject="Rate")
        async with db.unit_of_work() as session:
            workspace = await session.get(Workspace, uuid.UUID(tenant.workspace_id))
            row = await session.get(Ticket, uuid.UUID(ticket["id"]))
            assert workspace is not None and row is not None
            events.record_ticket_event(session, row, "ticket.survey_sent", events.SYSTEM, {})
            await reports.on_survey_sent(session, workspace, row)
            if rating is not None:
                data = {"rating": rating, "good": good, "comment": None}
                contact = events.Actor("contact", None, "c@example.com")
                events.record_ticket_event(session, row, "ticket.csat_received", contact, data)
                await reports.on_csat(session, workspace, row)
    report = (await tenant.get("/reports/csat")).json()
    assert (report["sent"], report["responses"], report["good"], report["bad"]) == (4, 3, 2, 1)
    assert report["score"] == round(2 / 3, 4) and report["response_rate"] == 0.75
    assert sum(report["series"][0]["sent"]) == 4


async def test_another_workspaces_tickets_never_count(tenant, other_tenant):
    await _import(other_tenant, "2026-11-02T08:00:00Z")
    await _import(tenant, "2026-11-02T08:00:00Z")
    for path in ("/reports/volume", "/reports/volume?metric=backlog"):
        mine = (await tenant.get(f"{path}{'&' if '?' in path else '?'}{WINDOW}")).json()
        assert mine["total"] == 1, path
    mine = (await tenant.get(f"/reports/volume?{WINDOW}&source=rollup")).json()
    assert mine["total"] == 1
    agents = (await tenant.get(f"/reports/agents?{WINDOW}")).json()
    assert sum(r["assigned"] for r in agents["rows"]) == 1


@pytest.mark.parametrize(
    ("query", "loc"),
    [
        ("/reports/volume?group_by=nope", ["query", "group_by"]),
        ("/reports/response-times?group_by=status%3B", ["query", "group_by"]),
        ("/reports/volume?tz=Mars/Olympus", ["query", "tz"]),
        ("/reports/volume?tz=..%2F..%2Fetc%2Fpasswd", ["query", "tz"]),
        (
            "/reports/volume?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z",
            ["query", "from"],
        ),
        ("/reports/volume?from=yesterday", ["query", "from"]),
        ("/reports/volume?metric=revenue", ["query", "metric"]),
        ("/reports/volume?interval=hour", ["query", "interval"]),
        (
            "/reports/volume?from=1990-01-01T00:00:00Z&to=2026-01-01T00:00:00Z",
            ["query", "interval"],
        ),
        ("/reports/fields?field=cf.nope", ["query", "field"]),
        ("/reports/fields?field=subject", ["query", "field"]),
        ("/reports/volume?group_by=cf.nope", ["query", "group_by"]),
        ("/reports/csat?source=sometimes", ["query", "source"]),
        ("/reports/agents?to=0001-01-02T00:00:00Z", ["query", "to"]),
        ("/reports/sla?from=9999-12-01T00:00:00Z", ["query", "from"]),
    ],
)
async def test_bad_parameters_are_a_422_naming_them(tenant, query, loc):
    response = await tenant.get(query)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert loc in [e["loc"] for e in response.json()["errors"]]


async def test_reports_need_a_sign_in(tenant):
    response = await tenant.client.get("/reports/volume")
    assert response.status_code == 401


async def _answer(db, tenant, key: str, rating) -> None:
    """A sent survey and its answer, as the csat room records them."""
    import uuid

    from sqlalchemy import select

    from ticketdesk import events
    from ticketdesk.models import Ticket, Workspace
    from ticketdesk.reports import service as reports

    async with db.unit_of_work() as session:
        workspace = await session.get(Workspace, uuid.UUID(tenant.workspace_id))
        assert workspace is not None
        row = await session.scalar(
            select(Ticket).where(
                Ticket.workspace_id == workspace.id, Ticket.number == int(key.split("-")[1])
            )
        )
        assert row is not None
        events.record_ticket_event(session, row, "ticket.survey_sent", events.SYSTEM, {})
        await reports.on_survey_sent(session, workspace, row)
        if rating is not None:
            contact = events.Actor("contact", None, "c@example.com")
            data = {"rating": rating, "good": None, "comment": None}
            events.record_ticket_event(session, row, "ticket.csat_received", contact, data)
            await reports.on_csat(session, workspace, row)


async def test_agents_and_csat_from_the_rollups_equal_the_exact_counts(
    tenant, db, settings, monkeypatch
):
    agent = tenant.users["agent"]
    admin = tenant.users["admin"]
    plan = [  # day, assignee, reply after minutes, reopen, rating
        ("02", agent, 20, True, "good"),
        ("02", agent, 5, False, "bad"),
        ("03", admin, 90, False, 5),
        ("04", None, None, False, None),
        ("05", agent, 600, False, 2),
    ]
    for day, who, reply_after, reopen, rating in plan:
        comments = (
            [
                {
                    "body": "On it",
                    "created_at": f"2026-11-{day}T{clock(8 * 60 + reply_after)}:00Z",
                    "author_email": (who or agent)["email"],
                }
            ]
            if reply_after is not None
            else []
        )
        ticket = await _import(
            tenant,
            f"2026-11-{day}T08:00:00Z",
            assignee_id=who["id"] if who else None,
            labels=["refund"] if reopen else [],
            comments=comments,
        )
        if reply_after is None:
            continue
        solved = z(f"2026-11-{day}T20:00:00Z")
        await move(db, ticket["key"], tenant.workspace_id, "resolved", solved)
        if reopen:
            await move(
                db, ticket["key"], tenant.workspace_id, "open", z(f"2026-11-{day}T21:00:00Z")
            )
            await move(
                db, ticket["key"], tenant.workspace_id, "resolved", z(f"2026-11-{day}T22:00:00Z")
            )
        await _answer(db, tenant, ticket["key"], rating)

    def counts(report: dict) -> dict:
        return {
            r["key"]: (r["assigned"], r["solved"], r["reopened"], r["one_touch"], r["csat"])
            for r in report["rows"]
        }

    def averages(report: dict) -> dict:
        return {
            r["key"]: [
                r[m][c]["avg"]
                for m in ("first_response", "resolution")
                for c in ("calendar", "business")
            ]
            for r in report["rows"]
        }

    exact = (await tenant.get(f"/reports/agents?{WINDOW}&source=exact")).json()
    assert exact["source"] == "exact"
    assert counts(exact)[agent["id"]] == (
        3,
        3,
        1,
        3,  # one public reply each (a reopen does not undo one-touch)
        {"score": round(1 / 3, 4), "responses": 3, "good": 1, "bad": 2},
    )
    monkeypatch.setattr(settings, "reports_exact_tickets", 0)  # any range: the rollups
    rollup = (await tenant.get(f"/reports/agents?{WINDOW}")).json()
    assert rollup["source"] == "rollup"
    assert counts(rollup) == counts(exact)
    assert averages(rollup) == averages(exact)
    for query in ("", "&group_by=agent", "&group_by=label", "&interval=week"):
        monkeypatch.setattr(settings, "reports_exact_tickets", 5000)
        small = (await tenant.get(f"/reports/csat?{query}")).json()  # sent now
        monkeypatch.setattr(settings, "reports_exact_tickets", 0)
        large = (await tenant.get(f"/reports/csat?{query}")).json()
        assert (small["source"], large["source"]) == ("exact", "rollup")
        window = ("source", "from", "to")  # the default range ends now: a second apart
        assert {k: v for k, v in small.items() if k not in window} == {
            k: v for k, v in large.items() if k not in window
        }, query
    assert (large["sent"], large["good"], large["bad"]) == (4, 2, 2)
