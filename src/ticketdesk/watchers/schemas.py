"""Watcher shapes."""

from __future__ import annotations

import uuid

from ticketdesk.schemas import Output


class WatcherRead(Output):
    id: uuid.UUID
    name: str
    email: str
