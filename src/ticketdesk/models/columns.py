"""Column declarations most tables share, declared once (SQLAlchemy copies them per table)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from sqlalchemy import ForeignKey, Uuid
from sqlalchemy.orm import mapped_column

from ticketdesk.db import UTCDateTime, new_id, utcnow

UuidPk = Annotated[uuid.UUID, mapped_column(Uuid, primary_key=True, default=new_id)]
# a moment that defaults to when the row is written (created_at and the like)
DefaultNow = Annotated[datetime, mapped_column(UTCDateTime, default=utcnow)]
# the tenant: every row goes with its workspace
WorkspaceId = Annotated[uuid.UUID, mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))]
IndexedWorkspaceId = Annotated[
    uuid.UUID, mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
]
TicketId = Annotated[uuid.UUID, mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))]


class Archivable:
    """A row that DELETE archives (`archived_at`): its values stay readable, no new uses."""

    archived_at: datetime | None

    @property
    def archived(self) -> bool:
        return self.archived_at is not None
