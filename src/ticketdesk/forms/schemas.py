"""Public contact form shapes, and the admin's form settings."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, StringConstraints

from ticketdesk.schemas import Email, Input, LongText, Name200, Output, Subject


def _origin(value: str) -> str:
    value = value.strip().rstrip("/").lower()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("an origin is scheme://host[:port], e.g. https://www.example.com")
    if parts.path or parts.query or parts.fragment or parts.username:
        raise ValueError("an origin has no path, query or credentials")
    return value


Origin = Annotated[str, StringConstraints(max_length=300), AfterValidator(_origin)]


class FormSubmission(Input):
    email: Email
    name: Name200 | None = None
    subject: Subject
    description: Annotated[LongText, StringConstraints(min_length=1, max_length=20_000)]
    website: Annotated[str, StringConstraints(max_length=500)] | None = Field(
        default=None,
        description="honeypot: leave empty (hidden from people; bots fill it in)",
    )


class FormReceipt(Output):
    key: str | None = Field(description="the new ticket's key", examples=["TKT-42"])


class FormSettingsUpdate(Input):
    allowed_origins: Annotated[list[Origin], Field(max_length=50)] | None = None
    rate_limit: Annotated[int, Field(ge=1, le=10_000)] | None = None
    rate_window_minutes: Annotated[int, Field(ge=1, le=1440)] | None = None


class FormSettingsRead(Output):
    allowed_origins: list[str]
    rate_limit: int = Field(description="submissions allowed per client IP per window")
    rate_window_minutes: int
    url: str = Field(description="where the website's form posts")
