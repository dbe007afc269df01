"""Ending a user's sessions, which deactivation and a new password do in their transaction."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.auth import repository
from ticketdesk.db import utcnow


async def revoke_sessions(session: AsyncSession, user_id: uuid.UUID) -> None:
    """End every open session of a user (deactivated, or given a new password)."""
    now = utcnow()
    for auth_session in await repository.open_sessions(session, user_id):
        auth_session.revoked_at = now
