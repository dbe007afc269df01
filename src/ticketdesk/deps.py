"""Request-scoped dependencies shared by every room."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.db import Database


def get_database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's one transaction: committed before the response is sent, else rolled back."""
    db: Database = request.app.state.db
    async with db.unit_of_work(request.app.state.settings) as session:
        yield session


# scope="function": the transaction commits before the response leaves, so a client never
# sees a success that was then rolled back.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
