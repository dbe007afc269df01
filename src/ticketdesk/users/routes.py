"""HTTP for a workspace's users."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from ticketdesk.auth.principal import Admin, Reader
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.users import service
from ticketdesk.users.schemas import UserCreate, UserRead, UserUpdate

router = APIRouter(tags=["users"])

_WRITE = problems(400, 401, 403, 409, 413, 415, 422)


@router.post("/users", status_code=201, operation_id="users:create", responses=_WRITE)
async def create_user(data: UserCreate, session: SessionDep, principal: Admin) -> UserRead:
    return UserRead.model_validate(await service.create_user(session, principal, data))


@router.get("/users", operation_id="users:list", responses=problems(401, 403))
async def list_users(session: SessionDep, principal: Reader) -> list[UserRead]:
    return [UserRead.model_validate(u) for u in await service.list_users(session, principal)]


@router.get("/users/{user_id}", operation_id="users:get", responses=problems(401, 403, 404, 422))
async def get_user(user_id: uuid.UUID, session: SessionDep, principal: Reader) -> UserRead:
    return UserRead.model_validate(await service.get_user(session, principal, user_id))


@router.patch(
    "/users/{user_id}", operation_id="users:update", responses={**_WRITE, **problems(404)}
)
async def update_user(
    user_id: uuid.UUID, data: UserUpdate, session: SessionDep, principal: Admin
) -> UserRead:
    """Rename, change role, (de)activate or set a password; the last two end the user's sessions."""
    return UserRead.model_validate(await service.update_user(session, principal, user_id, data))
