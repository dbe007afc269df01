"""Status rules called directly: unique names, the order a new one takes, and tickets seeing a
new or changed status at once although statuses are cached configuration."""

from __future__ import annotations

import pytest

from tests.support import Statements
from ticketdesk.auth.principal import principal_from_token
from ticketdesk.errors import Conflict, NotFound, ValidationFailed
from ticketdesk.statuses import service as statuses
from ticketdesk.statuses.schemas import StatusCreate, StatusUpdate
from ticketdesk.tickets import service as tickets


async def admin_of(session, tenant):
    principal = await principal_from_token(session, tenant.tokens["admin"])
    assert principal is not None
    return principal


def on_hold(**fields):
    return StatusCreate.model_validate(
        {"name": "on_hold", "label": "On hold", "category": "pending", **fields}
    )


async def test_a_new_status_goes_last_unless_placed(tenant, db):
    async with db.unit_of_work() as session:
        admin = await admin_of(session, tenant)
        last = await statuses.create_status(session, admin, on_hold())
        placed = await statuses.create_status(
            session, admin, on_hold(name="triage", category="open", position=1)
        )
    assert last.position == 5 and placed.position == 1  # the defaults are at 0..4
    async with db.unit_of_work() as session:
        names = [
            s.name for s in await statuses.list_statuses(session, await admin_of(session, tenant))
        ]
    assert names == ["open", "in_progress", "triage", "waiting", "resolved", "closed", "on_hold"]


async def test_names_are_unique_within_a_workspace_only(tenant, other_tenant, db):
    async with db.unit_of_work() as session:
        await statuses.create_status(session, await admin_of(session, tenant), on_hold())
        with pytest.raises(Conflict):
            await statuses.create_status(
                session, await admin_of(session, tenant), on_hold(category="open")
            )
        theirs = await statuses.create_status(
            session, await admin_of(session, other_tenant), on_hold(category="closed")
        )
    assert theirs.category == "closed"


async def test_tickets_resolve_a_new_status_at_once_in_its_category(tenant, db):
    async with db.unit_of_work() as session:
        admin = await admin_of(session, tenant)
        with pytest.raises(ValidationFailed):
            await tickets.resolve_status(session, admin.workspace_id, "on_hold")
    async with db.unit_of_work() as session:
        admin = await admin_of(session, tenant)
        await statuses.create_status(session, admin, on_hold())
        # the same transaction sees its own configuration write
        assert (await tickets.resolve_status(session, admin.workspace_id, "on_hold")).category == (
            "pending"
        )
    async with db.unit_of_work() as session:  # and so does the next one
        admin = await admin_of(session, tenant)
        assert (await tickets.resolve_status(session, admin.workspace_id, "on_hold")).category == (
            "pending"
        )


async def test_a_relabel_is_seen_by_the_next_list_and_an_unknown_name_is_404(tenant, db):
    async with db.unit_of_work() as session:
        await statuses.list_statuses(session, await admin_of(session, tenant))  # cached now
    async with db.unit_of_work() as session:
        admin = await admin_of(session, tenant)
        changed = await statuses.update_status(
            session, admin, "waiting", StatusUpdate(label="Waiting on customer", position=9)
        )
        assert (changed.name, changed.category) == ("waiting", "pending")
        with pytest.raises(NotFound):
            await statuses.update_status(session, admin, "nonexistent", StatusUpdate(label="x"))
    async with db.unit_of_work() as session:
        listed = await statuses.list_statuses(session, await admin_of(session, tenant))
    assert [(s.name, s.label) for s in listed][-1] == ("waiting", "Waiting on customer")


async def test_listing_statuses_again_reads_no_statuses(tenant, db):
    async with db.unit_of_work() as session:
        first = await statuses.list_statuses(session, await admin_of(session, tenant))
    with Statements(db) as seen:
        async with db.unit_of_work() as session:
            again = await statuses.list_statuses(session, await admin_of(session, tenant))
    assert [s.name for s in again] == [s.name for s in first]
    assert [s for s in seen if "FROM statuses" in s] == []
