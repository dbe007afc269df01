"""Login throttle counters, shared by every API process when no Redis is configured."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ticketdesk.db import Base


class LoginCounter(Base):
    """Login attempts for one key (an IP, or an email from an IP) in the current window.

    Times are epoch milliseconds, so one INSERT … ON CONFLICT DO UPDATE can do the window
    arithmetic the same way on SQLite and PostgreSQL (what Redis does with INCR and EXPIRE).
    """

    __tablename__ = "login_counters"
    __table_args__ = (Index("ix_login_counters_window_ends_at", "window_ends_at"),)

    # "ip:" or "pair:" and a SHA-256 prefix: neither the email nor the address is stored
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer)
    window_ends_at: Mapped[int] = mapped_column(BigInteger)
    # no attempt for this key is checked before this time (0: none pending)
    hold_until: Mapped[int] = mapped_column(BigInteger)
