"""The bulk service, called with a real session: chunks, failures that stay alone, duplicates."""

import uuid

import pytest
from sqlalchemy import func, select

from ticketdesk.auth.principal import principal_from_token
from ticketdesk.bulk import service as bulk
from ticketdesk.bulk.schemas import BulkRequest
from ticketdesk.errors import ValidationFailed
from ticketdesk.models import Event, Ticket
from ticketdesk.tickets import service as tickets


async def _bulk(db, tenant, refs, changes, role="agent"):
    async with db.unit_of_work() as session:
        principal = await principal_from_token(session, tenant.tokens[role])
        assert principal is not None
        workspace = await tickets.get_workspace(session, principal)
        request = BulkRequest.model_validate({"tickets": refs, "changes": changes})
        return await bulk.bulk_update(session, principal, workspace, request)


async def _tickets(db, made):
    async with db.unit_of_work() as session:
        rows = await session.scalars(
            select(Ticket).where(Ticket.id.in_([uuid.UUID(t["id"]) for t in made]))
        )
        by_id = {str(t.id): t for t in rows}
    return [by_id[t["id"]] for t in made]


async def test_a_bad_ticket_fails_alone_while_the_rest_of_its_chunk_applies(
    db, tenant, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(bulk, "BULK_CHUNK", 2)  # five tickets: three chunks
    made = [await tenant.create_ticket(subject=f"t{i}") for i in range(5)]
    merged = await tenant.post(f"/tickets/{made[3]['key']}/merge", json={"into": made[0]["key"]})
    assert merged.status_code == 200, merged.text
    before = await _tickets(db, made)

    results = await _bulk(db, tenant, [t["key"] for t in made], {"status": "waiting"})

    assert [r.ticket for r in results] == [t["key"] for t in made]
    assert [r.ok for r in results] == [True, True, True, False, True]
    failed = results[3]
    assert failed.error is not None
    assert failed.error.status == 409
    assert failed.version is None
    after = await _tickets(db, made)
    assert [t.status for t in after] == ["waiting", "waiting", "waiting", "closed", "waiting"]
    # the chunk-mate of the failed ticket was applied once, although its chunk was redone
    assert results[2].version == after[2].version == before[2].version + 1
    assert after[3].version == before[3].version
    async with db.unit_of_work() as session:
        changed = await session.scalar(
            select(func.count())
            .select_from(Event)
            .where(
                Event.ticket_id.in_([t.id for t in after]),
                Event.type == "ticket.status_changed",
                Event.data["to"].as_string() == "waiting",
            )
        )
    assert changed == 4


async def test_a_ticket_named_twice_is_changed_once_and_both_results_say_how(db, tenant):
    ticket = await tenant.create_ticket(subject="twice")
    refs = [ticket["key"], ticket["id"], "TKT-424242", ticket["key"].lower()]

    results = await _bulk(db, tenant, refs, {"priority": "urgent"})

    assert [r.ticket for r in results] == refs
    assert [r.ok for r in results] == [True, True, False, True]
    assert results[0].version == results[1].version == results[3].version
    assert results[0].version == ticket["version"] + 1
    assert results[2].error is not None
    assert results[2].error.status == 404
    [stored] = await _tickets(db, [ticket])
    assert stored.priority == "urgent"
    assert stored.version == ticket["version"] + 1


async def test_an_invalid_change_applies_nowhere(db, tenant):
    ticket = await tenant.create_ticket(subject="untouched")
    with pytest.raises(ValidationFailed, match="Unknown status"):
        await _bulk(db, tenant, [ticket["key"]], {"status": "no-such-status"})
    [stored] = await _tickets(db, [ticket])
    assert stored.version == ticket["version"]
