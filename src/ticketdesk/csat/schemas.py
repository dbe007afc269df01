"""CSAT shapes: the workspace's survey settings and a requester's answer."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ticketdesk.schemas import Flag, Input, JsonInt, Output, UtcDateTime

Scale = Literal["good_bad", "five"]
GoodBad = Literal["good", "bad"]
Stars = Annotated[JsonInt, Field(ge=1, le=5)]
Rating = GoodBad | Stars
MAX_DELAY_MINUTES = 30 * 24 * 60
MAX_COMMENT = 2000
SurveyComment = Annotated[str, StringConstraints(max_length=MAX_COMMENT, pattern=r"^[^\x00]*$")]


class CsatSettings(Input):
    """Whether solved tickets get a satisfaction survey, on which scale, and how long after
    the solve the email goes."""

    enabled: Flag
    scale: Scale = Field(
        "good_bad", description="`good_bad`: good or bad; `five`: 1 to 5 (4 and 5 count as good)"
    )
    delay_minutes: Annotated[JsonInt, Field(ge=0, le=MAX_DELAY_MINUTES)] = Field(
        0, description="minutes between the solve and the survey email (at most 30 days)"
    )


class CsatSettingsRead(Output):
    enabled: bool
    scale: Scale
    delay_minutes: int


class SurveyAnswer(Input):
    """`rating` on the workspace's scale: `good`/`bad`, or 1 to 5. A reason is asked on `bad`
    (or 1 and 2) but never required."""

    rating: Rating
    comment: SurveyComment | None = None


class SurveyAnswerRead(Output):
    ticket: str = Field(examples=["TKT-42"])
    rating: GoodBad | int
    good: bool = Field(description="good, 4 or 5")
    comment: str | None
    answered_at: UtcDateTime
