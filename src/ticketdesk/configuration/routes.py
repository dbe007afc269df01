"""Workspace configuration: statuses (each mapped to a category), labels, the workspace."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import func, select

from ticketdesk.auth.principal import Principal, admin, agent, reader
from ticketdesk.configuration.schemas import (
    LabelCreate,
    LabelRead,
    StatusCreate,
    StatusRead,
    StatusUpdate,
    WorkspaceSettingsRead,
    WorkspaceUpdate,
)
from ticketdesk.db import new_id
from ticketdesk.deps import SessionDep
from ticketdesk.errors import Conflict, NotFound, problems
from ticketdesk.models import Label, Status, Workspace

router = APIRouter(tags=["configuration"])
Admin = Annotated[Principal, Depends(admin)]
Agent = Annotated[Principal, Depends(agent)]
Reader = Annotated[Principal, Depends(reader)]
_WRITE = problems(400, 401, 403, 409, 413, 415, 422)


@router.get(
    "/statuses",
    response_model=list[StatusRead],
    operation_id="statuses:list",
    responses=problems(401, 403),
)
async def list_statuses(session: SessionDep, principal: Reader) -> list[Status]:
    return list(
        await session.scalars(
            select(Status)
            .where(Status.workspace_id == principal.workspace_id)
            .order_by(Status.position, Status.name)
        )
    )


@router.post(
    "/statuses",
    status_code=201,
    response_model=StatusRead,
    operation_id="statuses:create",
    responses=_WRITE,
)
async def create_status(data: StatusCreate, session: SessionDep, principal: Admin) -> Status:
    """Add a workspace status; its category decides how SLA clocks and reports treat it."""
    if await session.scalar(
        select(Status.id).where(
            Status.workspace_id == principal.workspace_id, Status.name == data.name
        )
    ):
        raise Conflict(f"The status {data.name!r} exists already.")
    position = data.position
    if position is None:
        last = await session.scalar(
            select(func.max(Status.position)).where(Status.workspace_id == principal.workspace_id)
        )
        position = (last or 0) + 1
    status = Status(
        id=new_id(),
        workspace_id=principal.workspace_id,
        name=data.name,
        label=data.label,
        category=data.category,
        position=position,
    )
    session.add(status)
    await session.flush()
    return status


@router.patch(
    "/statuses/{name}",
    response_model=StatusRead,
    operation_id="statuses:update",
    responses={**_WRITE, **problems(404)},
)
async def update_status(
    name: str, data: StatusUpdate, session: SessionDep, principal: Admin
) -> Status:
    status = await session.scalar(
        select(Status).where(Status.workspace_id == principal.workspace_id, Status.name == name)
    )
    if status is None:
        raise NotFound(f"No status {name!r} in this workspace.")
    if data.label is not None:
        status.label = data.label
    if data.position is not None:
        status.position = data.position
    await session.flush()
    return status


@router.get(
    "/labels",
    response_model=list[LabelRead],
    operation_id="labels:list",
    responses=problems(401, 403, 422),
)
async def list_labels(
    session: SessionDep,
    principal: Reader,
    prefix: Annotated[str | None, Query(max_length=50)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[Label]:
    """The workspace's labels by name; `prefix` narrows them for autocomplete."""
    stmt = select(Label).where(Label.workspace_id == principal.workspace_id)
    if prefix:
        stmt = stmt.where(Label.name.startswith(prefix.strip().lower(), autoescape=True))
    return list(await session.scalars(stmt.order_by(Label.name).limit(limit)))


@router.post(
    "/labels",
    status_code=201,
    response_model=LabelRead,
    operation_id="labels:create",
    responses=_WRITE,
)
async def create_label(data: LabelCreate, session: SessionDep, principal: Agent) -> Label:
    if await session.scalar(
        select(Label.id).where(
            Label.workspace_id == principal.workspace_id, Label.name == data.name
        )
    ):
        raise Conflict(f"The label {data.name!r} exists already.")
    label = Label(
        id=new_id(), workspace_id=principal.workspace_id, name=data.name, color=data.color
    )
    session.add(label)
    await session.flush()
    return label


@router.get(
    "/workspace",
    response_model=WorkspaceSettingsRead,
    operation_id="workspace:get",
    responses=problems(401, 403),
)
async def get_workspace(session: SessionDep, principal: Reader) -> Workspace:
    workspace = await session.get(Workspace, principal.workspace_id)
    assert workspace is not None
    return workspace


@router.patch(
    "/workspace",
    response_model=WorkspaceSettingsRead,
    operation_id="workspace:update",
    responses=_WRITE,
)
async def update_workspace(
    data: WorkspaceUpdate, session: SessionDep, principal: Admin
) -> Workspace:
    workspace = await session.get(Workspace, principal.workspace_id)
    assert workspace is not None
    if data.name is not None:
        workspace.name = data.name
    if data.timezone is not None:
        workspace.timezone = data.timezone
    await session.flush()
    return workspace
