"""Per-workspace channel settings (branding, notifications, public form), with defaults."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.config import Settings
from ticketdesk.config_cache import config_cached
from ticketdesk.crud import set_values
from ticketdesk.db import utcnow
from ticketdesk.email import repository
from ticketdesk.models import ChannelSettings, Workspace

_FALLBACK_DOMAIN = "ticketdesk.localhost"


def defaults(workspace_id: uuid.UUID) -> ChannelSettings:
    return ChannelSettings(
        workspace_id=workspace_id,
        brand_name=None,
        brand_color="#2563eb",
        signature="",
        from_address=None,
        notify_ticket_opened=True,
        notify_agent_reply=True,
        notify_resolved=True,
        notify_status_changed=True,
        notify_status_opt_out=["closed"],
        team_address=None,
        notify_team_new_ticket=True,
        form_allowed_origins=[],
        form_rate_limit=10,
        form_rate_window_minutes=10,
        updated_at=utcnow(),
    )


async def channel_settings(session: AsyncSession, workspace_id: uuid.UUID) -> ChannelSettings:
    """The workspace's settings, or the defaults (not stored) when it never saved any."""

    async def load() -> ChannelSettings:
        found = await repository.find_channel_settings(session, workspace_id)
        return found if found is not None else defaults(workspace_id)

    return await config_cached(session, workspace_id, "channel_settings", load)


async def update_channel_settings(
    session: AsyncSession, workspace_id: uuid.UUID, changes: dict[str, Any]
) -> ChannelSettings:
    base = defaults(workspace_id)
    row = {column.key: getattr(base, column.key) for column in ChannelSettings.__table__.columns}
    stored = await repository.lock_channel_settings(session, workspace_id, row)
    set_values(stored, changes)
    stored.updated_at = utcnow()
    await session.flush()
    return stored


def mail_domain(settings: Settings) -> str:
    host = urlsplit(settings.public_url).hostname or ""
    if not host or host == "localhost" or host.replace(".", "").isdigit() or ":" in host:
        return _FALLBACK_DOMAIN
    return host


def own_address(settings: Settings, workspace: Workspace, from_address: str | None) -> str:
    """The address the desk sends from: the configured one, or the workspace's default."""
    return from_address or f"{workspace.slug}@{mail_domain(settings)}"


def sender(settings: Settings, workspace: Workspace, channel: ChannelSettings) -> tuple[str, str]:
    """(display name, address) the desk sends from."""
    return channel.brand_name or workspace.name, own_address(
        settings, workspace, channel.from_address
    )
