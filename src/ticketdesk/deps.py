"""Request-scoped dependencies shared by every room."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.context import open_context
from ticketdesk.db import Database, run_after_commit, run_on_end


def get_database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's one transaction: committed before the response is sent, else rolled back."""
    db: Database = request.app.state.db
    async with db.sessionmaker() as session:
        open_context(session, db, request.app.state.settings)
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
        finally:
            run_on_end(session)
        await run_after_commit(session)


# scope="function": the transaction commits before the response leaves, so a client never
# sees a success that was then rolled back.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
