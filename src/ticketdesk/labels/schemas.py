"""Shapes of workspace labels."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import StringConstraints

from ticketdesk.schemas import Input, Output
from ticketdesk.tickets.schemas import LabelName

Color = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]


class LabelCreate(Input):
    name: LabelName
    color: Color | None = None


class LabelRead(Output):
    id: uuid.UUID
    name: str
    color: str | None
