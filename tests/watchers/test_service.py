"""Watchers and their notifications, through the services with a real session."""

import uuid

from ticketdesk.auth.principal import principal_from_token
from ticketdesk.notifications import service as notifications
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.schemas import TicketUpdate
from ticketdesk.watchers import service as watchers


async def _principal(session, tenant, role):
    principal = await principal_from_token(session, tenant.tokens[role])
    assert principal is not None
    return principal


async def _change(db, tenant, role, key, **fields):
    async with db.unit_of_work() as session:
        principal = await _principal(session, tenant, role)
        workspace = await tickets.get_workspace(session, principal)
        ticket = await tickets.get_ticket(session, principal, workspace, key)
        await tickets.update_ticket(
            session, workspace, ticket, TicketUpdate(**fields), actor=principal.actor()
        )


async def _watched_changes(db, user_id):
    async with db.unit_of_work() as session:
        page = await notifications.list_notifications(
            session, user_id, unread_only=False, limit=50, cursor=None
        )
    return [n for n in page.items if n.kind == "watched_change"]


async def test_a_watcher_hears_of_changes_by_others_but_not_of_their_own(db, tenant):
    made = await tenant.create_ticket(subject="watched")
    agent_id = uuid.UUID(tenant.users["agent"]["id"])
    async with db.unit_of_work() as session:
        admin = await _principal(session, tenant, "admin")
        workspace = await tickets.get_workspace(session, admin)
        ticket = await tickets.get_ticket(session, admin, workspace, made["key"])
        await watchers.set_watching(session, admin, workspace, ticket, agent_id, watching=True)
        await watchers.set_watching(
            session, admin, workspace, ticket, agent_id, watching=True
        )  # idempotent
        assert [w.id for w in await watchers.list_watchers(session, ticket)] == [agent_id]

    await _change(db, tenant, "admin", made["key"], priority="urgent")
    [heard] = await _watched_changes(db, agent_id)
    assert heard.ticket == made["key"]
    assert heard.data["fields"] == ["priority"]
    assert heard.data["by"] == "Alice Admin"

    await _change(db, tenant, "agent", made["key"], priority="low")
    assert len(await _watched_changes(db, agent_id)) == 1

    async with db.unit_of_work() as session:
        admin = await _principal(session, tenant, "admin")
        workspace = await tickets.get_workspace(session, admin)
        ticket = await tickets.get_ticket(session, admin, workspace, made["key"])
        await watchers.set_watching(session, admin, workspace, ticket, agent_id, watching=False)
    await _change(db, tenant, "admin", made["key"], priority="high")
    assert len(await _watched_changes(db, agent_id)) == 1
