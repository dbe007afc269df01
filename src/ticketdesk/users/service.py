"""The rules of a workspace's users: unique emails, no admin locking themselves out, and a
deactivation or new password ends the user's sessions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.auth import service as auth
from ticketdesk.auth.passwords import hash_password
from ticketdesk.auth.principal import Principal
from ticketdesk.crud import ensure_found
from ticketdesk.db import new_id, utcnow
from ticketdesk.errors import Conflict
from ticketdesk.models import User
from ticketdesk.users import repository
from ticketdesk.users.schemas import UserCreate, UserUpdate


async def list_users(session: AsyncSession, principal: Principal) -> Sequence[User]:
    return await repository.list_users(session, principal.workspace_id)


async def get_user(session: AsyncSession, principal: Principal, user_id: uuid.UUID) -> User:
    user = await repository.get_user(session, principal.workspace_id, user_id)
    return ensure_found(user, "No such user in this workspace.")


async def add_user(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    *,
    email: str,
    name: str,
    role: str,
    password: str | None,
) -> User:
    """A new active user of the workspace (`email` already normalised)."""
    user = User(
        id=new_id(),
        workspace_id=workspace_id,
        email=email,
        name=name,
        role=role,
        password_hash=hash_password(password) if password else None,
        active=True,
        created_at=utcnow(),
    )
    repository.add_user(session, user)
    await session.flush()
    return user


async def create_user(session: AsyncSession, principal: Principal, data: UserCreate) -> User:
    if await repository.email_taken(session, principal.workspace_id, data.email):
        raise Conflict("A user with this email exists in the workspace already.")
    return await add_user(
        session,
        principal.workspace_id,
        email=data.email,
        name=data.name,
        role=data.role,
        password=data.password,
    )


async def update_user(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID, data: UserUpdate
) -> User:
    user = await get_user(session, principal, user_id)
    fields = data.model_fields_set
    if user.id == principal.user_id and (
        ("role" in fields and data.role != "admin") or ("active" in fields and data.active is False)
    ):
        raise Conflict("You cannot demote or deactivate yourself; ask another admin.")
    if "name" in fields and data.name:
        user.name = data.name
    if "role" in fields and data.role:
        user.role = data.role
    if "active" in fields and data.active is not None:
        user.active = data.active
        if not data.active:
            await auth.revoke_sessions(session, user.id)
    if "password" in fields and data.password:
        user.password_hash = hash_password(data.password)
        await auth.revoke_sessions(session, user.id)
    await session.flush()
    return user


async def existing_user_ids(
    session: AsyncSession, workspace_id: uuid.UUID, user_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of `user_ids` are users of the workspace (active or not)."""
    return await repository.existing_ids(session, workspace_id, user_ids)
