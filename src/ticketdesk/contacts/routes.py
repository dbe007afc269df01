"""HTTP for contacts (requesters) and their organisations."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query

from ticketdesk.auth.principal import Agent, Reader
from ticketdesk.contacts import service
from ticketdesk.contacts.schemas import ContactProfileRead, ContactUpdate, OrganizationRead
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.pagination import CURSOR_PATTERN, DEFAULT_LIMIT, MAX_LIMIT
from ticketdesk.schemas import Page

router = APIRouter(tags=["contacts"])

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Cursor = Annotated[
    str | None,
    Query(max_length=500, pattern=CURSOR_PATTERN, description="`next_cursor` of the previous page"),
]
Search = Annotated[
    str | None,
    Query(
        max_length=200,
        pattern=r"^[^\x00]*$",
        description="case-insensitive: one or two characters match the start of the name or "
        "email, three or more match anywhere in either",
    ),
]
Domain = Annotated[
    str,
    Path(
        max_length=255,
        pattern=r"^[^\s/@\x00]+$",
        description="an email domain",
        examples=["acme.com"],
    ),
]

_LIST = problems(401, 403, 422)
_LOOKUP = problems(401, 403, 404, 422)


@router.get(
    "/contacts",
    response_model=Page[ContactProfileRead],
    operation_id="contacts:list",
    responses=_LIST,
)
async def list_contacts(
    session: SessionDep,
    principal: Reader,
    q: Search = None,
    organization: Annotated[
        str | None,
        Query(
            max_length=255,
            pattern=r"^[^\s/@\x00]*$",
            description="only the contacts whose email is at this domain",
        ),
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[ContactProfileRead]:
    """The workspace's requesters by email, one keyset page at a time, each with their open
    (not yet solved or closed) and total tickets and when they last opened one. Their
    tickets are `GET /tickets?requester=<email>`."""
    items, next_cursor = await service.list_contacts(
        session, principal, q=q, organization=organization, limit=limit, cursor=cursor
    )
    return Page[ContactProfileRead](items=items, next_cursor=next_cursor)


@router.get("/contacts/{contact_id}", operation_id="contacts:get", responses=_LOOKUP)
async def get_contact(
    contact_id: uuid.UUID, session: SessionDep, principal: Reader
) -> ContactProfileRead:
    contact = await service.get_contact(session, principal, contact_id)
    return await service.contact_profile(session, principal, contact)


@router.patch(
    "/contacts/{contact_id}",
    operation_id="contacts:update",
    responses=problems(400, 401, 403, 404, 413, 415, 422),
)
async def update_contact(
    contact_id: uuid.UUID, data: ContactUpdate, session: SessionDep, principal: Agent
) -> ContactProfileRead:
    """Rename a contact (agents). A change writes a `contact.updated` event on no ticket
    (webhooks can subscribe to it); it is not on any ticket's timeline."""
    contact = await service.get_contact(session, principal, contact_id)
    contact = await service.update_contact(session, principal, contact, data)
    return await service.contact_profile(session, principal, contact)


@router.get(
    "/organizations",
    response_model=Page[OrganizationRead],
    operation_id="organizations:list",
    responses=_LIST,
)
async def list_organizations(
    session: SessionDep,
    principal: Reader,
    q: Annotated[
        str | None,
        Query(max_length=255, pattern=r"^[^\x00]*$", description="part of the domain"),
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[OrganizationRead]:
    """The requesters' organisations: their email domains, free-mail providers (gmail.com,
    outlook.com, yahoo.*, gmx.*, web.de …) left out, by domain, with contact and ticket
    counts. Their tickets are `GET /tickets?organization=<domain>`, their contacts
    `GET /contacts?organization=<domain>`."""
    items, next_cursor = await service.list_organizations(
        session, principal, q=q, limit=limit, cursor=cursor
    )
    return Page[OrganizationRead](items=items, next_cursor=next_cursor)


@router.get("/organizations/{domain}", operation_id="organizations:get", responses=_LOOKUP)
async def get_organization(
    domain: Domain, session: SessionDep, principal: Reader
) -> OrganizationRead:
    """One organisation: 404 when no contact of the workspace has an email there."""
    return await service.get_organization(session, principal, domain)
