"""HTTP for workspace labels."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ticketdesk.auth.principal import Agent, Reader
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.labels import service
from ticketdesk.labels.schemas import LabelCreate, LabelRead

router = APIRouter(tags=["configuration"])

_WRITE = problems(400, 401, 403, 409, 413, 415, 422)


@router.get("/labels", operation_id="labels:list", responses=problems(401, 403, 422))
async def list_labels(
    session: SessionDep,
    principal: Reader,
    prefix: Annotated[str | None, Query(max_length=50)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[LabelRead]:
    """The workspace's labels by name; `prefix` narrows them for autocomplete."""
    labels = await service.list_labels(session, principal, prefix=prefix, limit=limit)
    return [LabelRead.model_validate(label) for label in labels]


@router.post("/labels", status_code=201, operation_id="labels:create", responses=_WRITE)
async def create_label(data: LabelCreate, session: SessionDep, principal: Agent) -> LabelRead:
    return LabelRead.model_validate(await service.create_label(session, principal, data))
