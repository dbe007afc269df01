"""HTTP for custom field definitions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from ticketdesk.auth.principal import Admin, Reader
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.fields import service
from ticketdesk.fields.schemas import FIELD_KEY_PATTERN, FieldCreate, FieldRead, FieldUpdate

router = APIRouter(tags=["configuration"])

FieldKeyPath = Annotated[str, Path(max_length=63, pattern=FIELD_KEY_PATTERN)]
_WRITE = problems(400, 401, 403, 409, 413, 415, 422)
_LOOKUP = problems(401, 403, 404, 422)


@router.get("/custom-fields", operation_id="custom_fields:list", responses=problems(401, 403))
async def list_fields(session: SessionDep, principal: Reader) -> list[FieldRead]:
    """Every field in order; archived ones too (flagged), since their values stay readable."""
    return await service.list_fields(session, principal.workspace_id)


@router.post(
    "/custom-fields", status_code=201, operation_id="custom_fields:create", responses=_WRITE
)
async def create_field(data: FieldCreate, session: SessionDep, principal: Admin) -> FieldRead:
    """Define a typed field; from then on the definitions govern every ticket's values."""
    return await service.create_field(session, principal.workspace_id, data)


@router.get("/custom-fields/{field_key}", operation_id="custom_fields:get", responses=_LOOKUP)
async def get_field(field_key: FieldKeyPath, session: SessionDep, principal: Reader) -> FieldRead:
    return await service.get_field(session, principal.workspace_id, field_key)


@router.patch(
    "/custom-fields/{field_key}",
    operation_id="custom_fields:update",
    responses={**_WRITE, **problems(404)},
)
async def update_field(
    field_key: FieldKeyPath, data: FieldUpdate, session: SessionDep, principal: Admin
) -> FieldRead:
    """Change what is sent; the key and kind stay. `"archived": false` restores a field."""
    return await service.update_field(session, principal.workspace_id, field_key, data)


@router.delete(
    "/custom-fields/{field_key}",
    status_code=204,
    operation_id="custom_fields:delete",
    responses=_LOOKUP,
)
async def archive_field(field_key: FieldKeyPath, session: SessionDep, principal: Admin) -> Response:
    """Archive the field: stored values stay readable and filterable, no new writes."""
    await service.archive_field(session, principal.workspace_id, field_key)
    return Response(status_code=204)
