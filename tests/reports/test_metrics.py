"""Per-ticket metrics against hand counts: histories imported with past timestamps, then
changes at chosen instants or live; each checked to the minute, and equal after a rebuild."""

from __future__ import annotations

import uuid

import pytest

from tests.reports.helpers import metrics_of, minutes, move, rebuild, snapshot, z
from ticketdesk import events
from ticketdesk.models import Ticket, Workspace
from ticketdesk.reports import service as reports


async def _office_hours_policy(tenant) -> None:
    hours = await tenant.post(
        "/business-hours",
        json={
            "name": "Berlin office",
            "timezone": "Europe/Berlin",
            "weekly": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        },
    )
    assert hours.status_code == 201, hours.text
    policy = await tenant.post(
        "/sla-policies",
        json={
            "name": "Office",
            "business_hours_id": hours.json()["id"],
            "targets": {"normal": {"first_response_minutes": 240, "resolution_minutes": 960}},
        },
    )
    assert policy.status_code == 201, policy.text


async def _import(tenant, **body) -> dict:
    response = await tenant.post("/tickets/import", json={"subject": "Old one", **body})
    assert response.status_code == 201, response.text
    return response.json()


async def test_business_minutes_across_a_weekend_and_the_end_of_summer_time(tenant, db):
    """Friday 16:00 in Berlin (CEST) to Monday 10:00 (CET, the clocks went back on Sunday):
    67 hours of calendar time, two office hours."""
    await _office_hours_policy(tenant)
    agent = tenant.users["agent"]
    ticket = await _import(
        tenant,
        created_at="2026-10-23T16:00:00+02:00",
        requester={"email": "c@example.com"},
        comments=[
            {"body": "Still broken", "created_at": "2026-10-24T09:00:00Z"},  # the requester
            {
                "body": "Looking into it",
                "created_at": "2026-10-26T10:00:00+01:00",
                "author_email": agent["email"],
            },
        ],
    )
    # waiting on the customer Monday 10:30 to 11:30, solved Monday 12:00 (Berlin)
    await move(db, ticket["key"], tenant.workspace_id, "waiting", z("2026-10-26T09:30:00Z"))
    await move(db, ticket["key"], tenant.workspace_id, "open", z("2026-10-26T10:30:00Z"))
    await move(db, ticket["key"], tenant.workspace_id, "resolved", z("2026-10-26T11:00:00Z"))
    row = await metrics_of(db, ticket["id"])
    assert minutes(row["first_response_seconds"]) == 67 * 60
    assert minutes(row["first_response_business_seconds"]) == 60 + 60
    assert minutes(row["resolution_seconds"]) == 69 * 60
    assert minutes(row["resolution_business_seconds"]) == 60 + 180
    # open Fri 16:00 -> Mon 10:30 and Mon 11:30 -> 12:00 (Berlin)
    assert minutes(row["requester_wait_seconds"]) == 67 * 60 + 30 + 30  # 67.5 h with DST
    assert minutes(row["requester_wait_business_seconds"]) == 60 + 90 + 30
    assert row["agent_replies"] == 1 and row["one_touch"] is True
    assert row["sla_first_response_target_seconds"] == 240 * 60
    before = await snapshot(db, tenant.workspace_id)
    await rebuild(db, tenant.workspace_id)
    assert await snapshot(db, tenant.workspace_id) == before


async def test_calendar_minutes_without_business_hours_and_the_summer_time_start(tenant, db):
    ticket = await _import(
        tenant,
        created_at="2026-03-28T22:00:00+01:00",  # Saturday night; clocks go forward Sunday 02:00
        comments=[
            {
                "body": "On it",
                "created_at": "2026-03-29T09:00:00+02:00",
                "author_email": tenant.users["agent"]["email"],
            }
        ],
    )
    row = await metrics_of(db, ticket["id"])
    assert minutes(row["first_response_seconds"]) == 10 * 60  # 11 wall-clock hours, one skipped
    assert row["first_response_business_seconds"] == row["first_response_seconds"]


async def test_reopen_and_resolve_cycles_count_to_the_last_solve(tenant, db):
    ticket = await _import(tenant, created_at="2026-11-02T08:00:00Z")
    ws = tenant.workspace_id
    await move(db, ticket["key"], ws, "resolved", z("2026-11-02T09:00:00Z"))
    await move(db, ticket["key"], ws, "open", z("2026-11-02T10:00:00Z"))  # reopened
    await move(db, ticket["key"], ws, "resolved", z("2026-11-02T11:30:00Z"))
    await move(db, ticket["key"], ws, "closed", z("2026-11-03T11:30:00Z"))  # not a new solve
    await move(db, ticket["key"], ws, "in_progress", z("2026-11-04T08:00:00Z"))  # reopened
    row = await metrics_of(db, ticket["id"])
    assert (row["solves"], row["reopens"]) == (2, 2)
    assert row["solved_at"] is None and row["resolution_seconds"] is None  # open again
    await move(db, ticket["key"], ws, "resolved", z("2026-11-04T09:00:00Z"))
    row = await metrics_of(db, ticket["id"])
    assert (row["solves"], row["reopens"]) == (3, 2)
    assert minutes(row["resolution_seconds"]) == 49 * 60  # created -> the last solve
    assert minutes(row["requester_wait_seconds"]) == 60 + 90 + 60  # open spells only
    assert row["first_response_at"] is None  # solved before any reply: no first response
    before = await snapshot(db, ws)
    await rebuild(db, ws)
    assert await snapshot(db, ws) == before


async def test_only_a_public_reply_by_a_person_of_the_team_is_a_first_response(tenant, db):
    ticket = await _import(
        tenant,
        created_at="2026-11-02T08:00:00Z",
        requester={"email": "c@example.com"},
        comments=[
            {"body": "Hello?", "created_at": "2026-11-02T08:10:00Z"},  # the requester
            {
                "body": "internal: check the logs",
                "created_at": "2026-11-02T08:20:00Z",
                "visibility": "internal",
                "author_email": tenant.users["agent"]["email"],
            },
        ],
    )
    token = await tenant.post("/api-tokens", json={"name": "bot", "scopes": ["tickets:write"]})
    assert token.status_code == 201, token.text
    bot = {"Authorization": f"Bearer {token.json()['token']}"}
    said = await tenant.client.post(
        f"/tickets/{ticket['key']}/comments",
        json={"body": "I am a bot: have you tried turning it off?", "visibility": "public"},
        headers=bot,
    )
    assert said.status_code == 201, said.text
    rule = await tenant.post(
        "/automations",
        json={
            "name": "Auto reply",
            "trigger": "ticket.updated",
            "conditions": {"all": [{"field": "priority", "op": "is", "value": "high"}]},
            "actions": [{"type": "add_comment", "value": "We are on it (automatic)."}],
        },
    )
    assert rule.status_code == 201, rule.text
    assert (await tenant.patch(f"/tickets/{ticket['key']}", json={"priority": "high"})).is_success
    row = await metrics_of(db, ticket["id"])
    assert row["first_response_at"] is None and row["agent_replies"] == 0
    replied = await tenant.post(
        f"/tickets/{ticket['key']}/comments",
        json={"body": "A person here.", "visibility": "public"},
        role="agent",
    )
    assert replied.status_code == 201, replied.text
    row = await metrics_of(db, ticket["id"])
    assert row["first_response_at"].replace(microsecond=0) == z(replied.json()["created_at"])
    assert row["agent_replies"] == 1
    assert row["assignee_id"] is None  # a reply before assignment counts


async def test_a_merged_ticket_is_closed_but_not_solved(tenant, db):
    source = await _import(tenant, created_at="2026-11-02T08:00:00Z")
    target = await tenant.create_ticket(subject="The same problem")
    merged = await tenant.post(f"/tickets/{source['key']}/merge", json={"into": target["key"]})
    assert merged.status_code == 200, merged.text
    row = await metrics_of(db, source["id"])
    assert row["status_category"] == "closed" and row["merged_at"] is not None
    assert row["solves"] == 0 and row["solved_at"] is None and row["resolution_seconds"] is None
    assert len(row["done_periods"]) == 1  # out of the backlog from the merge on
    other = await metrics_of(db, target["id"])
    assert other["merged_at"] is None and other["status_category"] == "open"
    before = await snapshot(db, tenant.workspace_id)
    await rebuild(db, tenant.workspace_id)
    assert await snapshot(db, tenant.workspace_id) == before


async def test_live_changes_are_measured_from_their_events(tenant, db):
    ticket = await tenant.create_ticket(subject="Live", labels=["vip"])
    await tenant.post(
        f"/tickets/{ticket['key']}/comments", json={"body": "Hi", "visibility": "public"}
    )
    solved = await tenant.patch(f"/tickets/{ticket['key']}", json={"status": "resolved"})
    assert solved.status_code == 200, solved.text
    activity = (await tenant.get(f"/tickets/{ticket['key']}/activity")).json()["items"]
    solved_at = next(e["created_at"] for e in activity if e["type"] == "ticket.status_changed")
    row = await metrics_of(db, ticket["id"])
    assert row["solved_at"].isoformat()[:19] == solved_at[:19]
    assert row["resolution_seconds"] == int((row["solved_at"] - row["created_at"]).total_seconds())
    assert row["labels"] == ["vip"]


@pytest.mark.parametrize(("rating", "good"), [(5, True), (4, True), (3, False), ("bad", False)])
async def test_csat_answers_fold_into_the_metrics(tenant, db, rating, good):
    ticket = await tenant.create_ticket(subject="Rate me")
    async with db.unit_of_work() as session:
        workspace = await session.get(Workspace, uuid.UUID(tenant.workspace_id))
        row = await session.get(Ticket, uuid.UUID(ticket["id"]))
        assert workspace is not None and row is not None
        events.record_ticket_event(session, row, "ticket.survey_sent", events.SYSTEM, {})
        await reports.on_survey_sent(session, workspace, row)
        contact = events.Actor("contact", None, "c@example.com")
        data = {"rating": rating, "good": good, "comment": None}
        events.record_ticket_event(session, row, "ticket.csat_received", contact, data)
        await reports.on_csat(session, workspace, row)
    metrics = await metrics_of(db, ticket["id"])
    assert metrics["csat_sent_at"] is not None and metrics["csat_answered_at"] is not None
    assert metrics["csat_rating"] == str(rating) and metrics["csat_good"] is good
    before = await snapshot(db, tenant.workspace_id)
    await rebuild(db, tenant.workspace_id)
    assert await snapshot(db, tenant.workspace_id) == before


async def test_a_bulk_chunk_that_rolls_back_leaves_no_metrics_behind(tenant, db):
    """A bulk chunk whose savepoint rolls back (one merged ticket) is redone ticket by
    ticket: the metrics and rollups hold the changes that stood, as a rebuild finds them."""
    first = await tenant.create_ticket(subject="first")
    source = await tenant.create_ticket(subject="merged one")
    target = await tenant.create_ticket(subject="target")
    merged = await tenant.post(f"/tickets/{source['key']}/merge", json={"into": target["key"]})
    assert merged.status_code == 200, merged.text
    response = await tenant.post(
        "/tickets/bulk",
        json={
            "tickets": [first["key"], source["key"], target["key"]],
            "changes": {"status": "resolved", "add_labels": ["x"]},
        },
    )
    assert [r["ok"] for r in response.json()["results"]] == [True, False, True]
    kept = await snapshot(db, tenant.workspace_id)
    assert (await metrics_of(db, first["id"]))["solves"] == 1
    assert (await metrics_of(db, first["id"]))["labels"] == ["x"]
    assert (await metrics_of(db, source["id"]))["solves"] == 0
    await rebuild(db, tenant.workspace_id)
    assert await snapshot(db, tenant.workspace_id) == kept
