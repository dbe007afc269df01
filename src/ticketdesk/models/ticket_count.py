"""How many tickets a workspace has per status and priority, kept by database triggers."""

from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, ForeignKey, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from ticketdesk.db import Base


class TicketCount(Base):
    """One shard of the count of a workspace's tickets in one status and priority.

    Written only by the triggers of migration 0018, in the transaction of every statement that
    writes tickets; a key's count is the sum over its shards (PostgreSQL spreads concurrent
    writers over several, SQLite has shard 0 only). A shard may hold a negative number."""

    __tablename__ = "ticket_counts"

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(40), primary_key=True)
    priority: Mapped[str] = mapped_column(String(16), primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
