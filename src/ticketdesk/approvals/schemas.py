"""Shapes of approval decisions and the queue's counts."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from ticketdesk.schemas import Input, Output

DecisionComment = Annotated[
    str, StringConstraints(min_length=1, max_length=5000, pattern=r"^[^\x00]*\S[^\x00]*$")
]


class ApproveRequest(Input):
    comment: DecisionComment | None = None


class RejectRequest(Input):
    comment: DecisionComment = Field(description="why: the requester reads it")


class ApprovalCounts(Output):
    pending: int = Field(description="changes waiting in the workspace")
    for_me: int = Field(description="of those, the ones the caller may decide")
