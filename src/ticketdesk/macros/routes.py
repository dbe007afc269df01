"""HTTP for macros (canned replies) and for using one on a ticket."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from ticketdesk.auth.principal import Agent, Reader, WorkspaceDep
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.macros import service
from ticketdesk.macros.schemas import (
    MacroApplied,
    MacroApply,
    MacroCreate,
    MacroPreview,
    MacroRead,
    MacroUpdate,
)
from ticketdesk.pagination import CURSOR_PATTERN, DEFAULT_LIMIT, MAX_LIMIT
from ticketdesk.responses import SerializedJSON, model_response
from ticketdesk.schemas import Page
from ticketdesk.tickets.deps import LockedTicketDep, TicketDep

router = APIRouter(tags=["macros"])

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Cursor = Annotated[
    str | None,
    Query(max_length=500, pattern=CURSOR_PATTERN, description="`next_cursor` of the previous page"),
]
Search = Annotated[str | None, Query(max_length=100, description="part of the macro's name")]
IfMatch = Annotated[str | None, Header(max_length=200)]

_LOOKUP = problems(401, 403, 404, 422)
_WRITE = problems(400, 401, 403, 404, 409, 413, 415, 422)


@router.post(
    "/macros",
    status_code=201,
    response_model=MacroRead,
    operation_id="macros:create",
    responses=_WRITE,
)
async def create_macro(data: MacroCreate, session: SessionDep, principal: Agent) -> SerializedJSON:
    """Save a canned reply and/or ticket changes: yours, or `shared` with the workspace (admins)."""
    created = await service.create_macro(session, principal, data)
    return model_response(created, 201, Location=f"/api/v1/macros/{created.id}")


@router.get("/macros", operation_id="macros:list", responses=problems(401, 403, 422))
async def list_macros(
    session: SessionDep,
    principal: Reader,
    q: Search = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[MacroRead]:
    """The workspace's shared macros and your own, by name; `q` finds names containing it."""
    return await service.list_macros(session, principal, q=q, limit=limit, cursor=cursor)


@router.get("/macros/{macro_id}", operation_id="macros:get", responses=_LOOKUP)
async def get_macro(macro_id: uuid.UUID, session: SessionDep, principal: Reader) -> MacroRead:
    return await service.get_macro(session, principal, macro_id)


@router.patch("/macros/{macro_id}", operation_id="macros:update", responses=_WRITE)
async def update_macro(
    macro_id: uuid.UUID, data: MacroUpdate, session: SessionDep, principal: Agent
) -> MacroRead:
    """Change your macro (admins: a shared one); `shared` moves it between you and everyone."""
    return await service.update_macro(session, principal, macro_id, data)


@router.delete(
    "/macros/{macro_id}", status_code=204, operation_id="macros:delete", responses=_LOOKUP
)
async def delete_macro(macro_id: uuid.UUID, session: SessionDep, principal: Agent) -> Response:
    await service.delete_macro(session, principal, macro_id)
    return Response(status_code=204)


@router.post(
    "/tickets/{ticket}/macros/{macro_id}/preview",
    operation_id="macros:preview",
    responses=problems(401, 403, 404, 409, 422),
)
async def preview_macro(
    found: TicketDep,
    macro_id: uuid.UUID,
    session: SessionDep,
    principal: Agent,
    workspace: WorkspaceDep,
) -> MacroPreview:
    """The reply rendered for this ticket and the changes the macro would make; nothing is
    written."""
    return await service.preview_macro(session, principal, workspace, found, macro_id)


@router.post(
    "/tickets/{ticket}/macros/{macro_id}/apply",
    response_model=MacroApplied,
    operation_id="macros:apply",
    responses={**_WRITE, **problems(412)},
)
async def apply_macro(
    found: LockedTicketDep,
    macro_id: uuid.UUID,
    session: SessionDep,
    principal: Agent,
    workspace: WorkspaceDep,
    data: MacroApply | None = None,
    if_match: IfMatch = None,
) -> SerializedJSON:
    """Apply the macro's changes and post its reply (or `body`, the agent's edit of it) in one
    transaction; with `If-Match: "<version>"` a stale ticket answers 412 and nothing changes."""
    applied = await service.apply_macro(
        session, principal, workspace, found, macro_id, data, if_match=if_match
    )
    return model_response(applied, ETag=f'"{applied.ticket.version}"')
