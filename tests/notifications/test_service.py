"""notify() and a user's notifications, through the service with a real session."""

import uuid

import pytest

from ticketdesk.errors import NotFound
from ticketdesk.notifications import service as notifications
from ticketdesk.notifications.observers import mentioned_users


async def test_notify_reaches_active_users_of_the_workspace_only(db, tenant, other_tenant):
    workspace_id = uuid.UUID(tenant.workspace_id)
    admin = uuid.UUID(tenant.users["admin"]["id"])
    agent = uuid.UUID(tenant.users["agent"]["id"])
    viewer = uuid.UUID(tenant.users["viewer"]["id"])
    outsider = uuid.UUID(other_tenant.users["agent"]["id"])
    async with db.unit_of_work() as session:
        notified = await notifications.notify(
            session,
            workspace_id=workspace_id,
            user_ids=[agent, viewer, outsider, admin, uuid.uuid4()],
            kind="mention",
            data={"by": "test"},
            exclude=admin,
        )
    assert sorted(notified) == sorted([agent, viewer])
    async with db.unit_of_work() as session:
        page = await notifications.list_notifications(
            session, agent, unread_only=True, limit=10, cursor=None
        )
        assert page.unread_count == 1
        [note] = page.items
        assert note.data == {"by": "test"}
        assert note.ticket is None
        outsider_page = await notifications.list_notifications(
            session, outsider, unread_only=False, limit=10, cursor=None
        )
        assert outsider_page.items == []
        with pytest.raises(NotFound):
            await notifications.mark_read(session, viewer, note.id)
        marked = await notifications.mark_read(session, agent, note.id)
        assert marked.read is True
        assert (await notifications.mark_all_read(session, viewer)).updated == 1


async def test_mentions_name_users_by_first_name_handle_or_email(db, tenant, other_tenant):
    workspace_id = uuid.UUID(tenant.workspace_id)
    agent = uuid.UUID(tenant.users["agent"]["id"])
    viewer = uuid.UUID(tenant.users["viewer"]["id"])
    async with db.unit_of_work() as session:
        assert await mentioned_users(session, workspace_id, "@bob, have a look") == {agent}
        assert await mentioned_users(session, workspace_id, "cc @viewer") == {viewer}
        assert await mentioned_users(session, workspace_id, "mail me@example.com") == set()
        foreign = f"@agent@{other_tenant.slug}.test"
        assert await mentioned_users(session, workspace_id, foreign) == set()
