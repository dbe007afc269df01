"""POST /tickets/bulk: per-ticket results, all-or-nothing per ticket, one event per change."""


async def _activity_types(tenant, key):
    response = await tenant.get(f"/tickets/{key}/activity")
    return [e["type"] for e in response.json()["items"]]


async def test_bulk_mixes_valid_unknown_and_foreign_keys(tenant, other_tenant):
    mine = [await tenant.create_ticket(subject=f"t{i}", labels=["old"]) for i in range(3)]
    foreign = await other_tenant.create_ticket(subject="not yours")
    agent_id = tenant.users["agent"]["id"]
    refs = [mine[0]["key"], "TKT-999", mine[1]["id"], foreign["id"], "nonsense", mine[2]["key"]]
    response = await tenant.post(
        "/tickets/bulk",
        role="agent",
        json={
            "tickets": refs,
            "changes": {
                "status": "in_progress",
                "priority": "high",
                "assignee_id": agent_id,
                "add_labels": ["Urgent-Queue"],
                "remove_labels": ["old"],
            },
        },
    )
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["ticket"] for r in results] == refs
    assert [r["ok"] for r in results] == [True, False, True, False, False, True]
    for failed in (results[1], results[3], results[4]):
        assert failed["error"]["status"] == 404
        assert "not yours" not in str(failed)
    for ticket in mine:
        got = (await tenant.get(f"/tickets/{ticket['key']}")).json()
        assert got["status"] == "in_progress"
        assert got["priority"] == "high"
        assert got["assignee"]["id"] == agent_id
        assert got["labels"] == ["urgent-queue"]
        types = await _activity_types(tenant, ticket["key"])
        for expected in (
            "ticket.status_changed",
            "ticket.priority_changed",
            "ticket.assigned",
            "ticket.labels_changed",
        ):
            assert types.count(expected) == 1, (expected, types)
    untouched = (await other_tenant.get(f"/tickets/{foreign['key']}")).json()
    assert untouched["status"] == "open"
    assert untouched["priority"] == "normal"


async def test_a_failing_ticket_rolls_back_alone(tenant):
    first = await tenant.create_ticket(subject="first")
    source = await tenant.create_ticket(subject="merged one")
    target = await tenant.create_ticket(subject="target")
    merged = await tenant.post(f"/tickets/{source['key']}/merge", json={"into": target["key"]})
    assert merged.status_code == 200, merged.text
    before = await _activity_types(tenant, source["key"])
    agent_id = tenant.users["agent"]["id"]
    response = await tenant.post(
        "/tickets/bulk",
        json={
            "tickets": [first["key"], source["key"], target["key"]],
            "changes": {"status": "waiting", "add_labels": ["x"], "assignee_id": agent_id},
        },
    )
    results = response.json()["results"]
    assert [r["ok"] for r in results] == [True, False, True]
    assert results[1]["error"]["status"] == 409
    assert "merged" in results[1]["error"]["detail"]
    # the merged ticket kept neither the label nor any event of the failed attempt
    got = (await tenant.get(f"/tickets/{source['key']}")).json()
    assert got["labels"] == []
    assert got["status"] == "closed"
    assert await _activity_types(tenant, source["key"]) == before
    # the others were applied exactly once, although their first attempt was rolled back
    for ticket in (first, target):
        after = (await tenant.get(f"/tickets/{ticket['key']}")).json()
        assert after["status"] == "waiting"
        assert after["labels"] == ["x"]
        types = await _activity_types(tenant, ticket["key"])
        assert types.count("ticket.status_changed") == 1
        assert types.count("ticket.labels_changed") == 1
    # the assignee heard about the two tickets assigned, once each, not about the failed one
    notes = (await tenant.get("/notifications", role="agent")).json()["items"]
    assert sorted(n["ticket"] for n in notes if n["kind"] == "assigned") == sorted(
        [first["key"], target["key"]]
    )


async def test_a_ticket_that_would_exceed_the_label_limit_fails_alone(tenant):
    full = await tenant.create_ticket(labels=[f"l{i}" for i in range(50)])
    roomy = await tenant.create_ticket(labels=["l1"])
    response = await tenant.post(
        "/tickets/bulk",
        json={"tickets": [full["key"], roomy["key"]], "changes": {"add_labels": ["extra"]}},
    )
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["ok"] for r in results] == [False, True]
    assert results[0]["error"]["status"] == 422
    assert len((await tenant.get(f"/tickets/{full['key']}")).json()["labels"]) == 50
    assert (await tenant.get(f"/tickets/{roomy['key']}")).json()["labels"] == ["extra", "l1"]


async def test_bulk_rejects_invalid_changes_and_viewers(tenant, other_tenant):
    ticket = await tenant.create_ticket()
    foreign_user = other_tenant.users["agent"]["id"]
    cases = [
        {"tickets": [ticket["key"]], "changes": {}},
        {"tickets": [], "changes": {"priority": "low"}},
        {"tickets": [ticket["key"]], "changes": {"status": "no-such-status"}},
        {"tickets": [ticket["key"]], "changes": {"assignee_id": foreign_user}},
        {"tickets": [ticket["key"]], "changes": {"priority": "extreme"}},
        {"tickets": ["TKT-1"] * 1001, "changes": {"priority": "low"}},
        {"tickets": [ticket["key"]], "changes": {"add_labels": ["a"], "remove_labels": ["a"]}},
    ]
    for body in cases:
        response = await tenant.post("/tickets/bulk", json=body)
        assert response.status_code == 422, (body, response.text)
    viewer = await tenant.post(
        "/tickets/bulk",
        role="viewer",
        json={"tickets": [ticket["key"]], "changes": {"priority": "low"}},
    )
    assert viewer.status_code == 403
    assert (await tenant.get(f"/tickets/{ticket['key']}")).json()["version"] == ticket["version"]


async def test_unassign_and_duplicates(tenant):
    agent_id = tenant.users["agent"]["id"]
    ticket = await tenant.create_ticket(assignee_id=agent_id)
    response = await tenant.post(
        "/tickets/bulk",
        json={"tickets": [ticket["key"], ticket["key"].lower()], "changes": {"assignee_id": None}},
    )
    results = response.json()["results"]
    assert [r["ok"] for r in results] == [True, True]
    got = (await tenant.get(f"/tickets/{ticket['key']}")).json()
    assert got["assignee"] is None
    assert (await _activity_types(tenant, ticket["key"])).count("ticket.assigned") == 1


async def test_tickets_in_different_states_each_keep_their_own_values(tenant):
    """A chunk is written as one UPDATE shape: columns one ticket changed are written for all,
    each with that ticket's own value."""
    done = await tenant.create_ticket(subject="already resolved", priority="low")
    await tenant.patch(f"/tickets/{done['key']}", json={"status": "resolved"})
    resolved_at = (await tenant.get(f"/tickets/{done['key']}")).json()["resolved_at"]
    waiting = await tenant.create_ticket(subject="waiting", priority="urgent")
    await tenant.patch(f"/tickets/{waiting['key']}", json={"status": "waiting"})
    fresh = await tenant.create_ticket(subject="open", priority="high")

    response = await tenant.post(
        "/tickets/bulk",
        json={
            "tickets": [done["key"], waiting["key"], fresh["key"]],
            "changes": {"status": "resolved"},
        },
    )
    assert [r["ok"] for r in response.json()["results"]] == [True, True, True]
    got = {
        t["key"]: (await tenant.get(f"/tickets/{t['key']}")).json() for t in (done, waiting, fresh)
    }
    assert got[done["key"]]["resolved_at"] == resolved_at  # unchanged: it was resolved already
    assert got[done["key"]]["version"] == done["version"] + 1  # only its own earlier change
    assert [got[k]["priority"] for k in (done["key"], waiting["key"], fresh["key"])] == [
        "low",
        "urgent",
        "high",
    ]
    for key in (waiting["key"], fresh["key"]):
        assert got[key]["status"] == "resolved"
        assert got[key]["resolved_at"] is not None
        assert got[key]["version"] == (2 if key == fresh["key"] else 3)
    assert (await _activity_types(tenant, done["key"])).count("ticket.status_changed") == 1


async def test_bulk_events_are_handed_to_the_outbox_right_after_commit(tenant, db):
    """A chunk's events are inserted at once; listeners still get each one, with its id."""
    import uuid

    from sqlalchemy import select

    from ticketdesk.models import Event

    made = [await tenant.create_ticket(subject=f"b{i}") for i in range(3)]
    await db.job_runner.drain()
    response = await tenant.post(
        "/tickets/bulk",
        json={"tickets": [t["key"] for t in made], "changes": {"priority": "urgent"}},
    )
    assert [r["ok"] for r in response.json()["results"]] == [True, True, True]
    await db.job_runner.drain()  # the after-commit dispatch, not the 5 s outbox sweep
    async with db.unit_of_work() as session:
        rows = (
            await session.execute(
                select(Event.type, Event.dispatched_at).where(
                    Event.ticket_id.in_([uuid.UUID(t["id"]) for t in made]),
                    Event.type == "ticket.priority_changed",
                )
            )
        ).all()
    assert len(rows) == 3
    assert all(dispatched is not None for _, dispatched in rows)
