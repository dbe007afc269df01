"""Public contact form shapes, and the admin's form settings."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, StringConstraints

from ticketdesk.schemas import (
    Email,
    Input,
    JsonInt,
    JsonObject,
    LongText,
    Name200,
    Output,
    Subject,
)
from ticketdesk.tickets.schemas import Slug


def _origin(value: str) -> str:
    value = value.strip().rstrip("/").lower()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("an origin is scheme://host[:port], e.g. https://www.example.com")
    if parts.path or parts.query or parts.fragment or parts.username:
        raise ValueError("an origin has no path, query or credentials")
    return value


_PORT = r"(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"
# scheme://host[:port] (a host name or IPv4 address), a trailing slash allowed (dropped)
ORIGIN_PATTERN = rf"^[\t ]*[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9.-]+(:{_PORT})?/?[\t ]*$"
Origin = Annotated[
    str,
    StringConstraints(max_length=300, pattern=ORIGIN_PATTERN),
    AfterValidator(_origin),
    Field(examples=["https://www.example.com"]),
]


class FormSubmission(Input):
    email: Email
    name: Name200 | None = None
    subject: Subject
    description: Annotated[LongText, StringConstraints(min_length=1, max_length=20_000)]
    website: Annotated[str, StringConstraints(max_length=500)] | None = Field(
        default=None,
        description="honeypot: leave empty (hidden from people; bots fill it in)",
    )
    type: Slug | None = Field(default=None, description="a ticket type of the help desk")
    category: Slug | None = None
    custom_fields: JsonObject = Field(
        default={}, description="checked against the help desk's field definitions"
    )


class FormReceipt(Output):
    key: str | None = Field(description="the new ticket's key", examples=["TKT-42"])


class FormSettingsUpdate(Input):
    allowed_origins: Annotated[list[Origin], Field(max_length=50)] | None = None
    rate_limit: Annotated[JsonInt, Field(ge=1, le=10_000)] | None = None
    rate_window_minutes: Annotated[JsonInt, Field(ge=1, le=1440)] | None = None


class FormSettingsRead(Output):
    allowed_origins: list[str]
    rate_limit: int = Field(description="submissions allowed per client IP per window")
    rate_window_minutes: int
    url: str = Field(description="where the website's form posts")
