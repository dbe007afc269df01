"""Creating a workspace: its admin, default statuses and settings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.auth.passwords import hash_password
from ticketdesk.db import new_id
from ticketdesk.errors import Conflict, ValidationFailed
from ticketdesk.models import Status, User, Workspace
from ticketdesk.models.ticket import DEFAULT_STATUSES
from ticketdesk.schemas import normalize_email

_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:63]
    return slug or "workspace"


@dataclass
class CreatedWorkspace:
    workspace: Workspace
    admin: User


async def create_workspace(
    session: AsyncSession,
    *,
    name: str,
    admin_email: str,
    admin_password: str,
    admin_name: str | None = None,
    slug: str | None = None,
    ticket_prefix: str = "TKT",
    timezone: str = "UTC",
) -> CreatedWorkspace:
    name = name.strip()
    if not name or len(name) > 200:
        raise ValidationFailed("The name must be 1 to 200 characters.", loc=("name",))
    slug = slug or slugify(name)
    if not _SLUG_RE.match(slug):
        raise ValidationFailed(
            "The slug must be lowercase letters, digits and dashes.", loc=("slug",)
        )
    try:
        email = normalize_email(admin_email)
    except ValueError as exc:
        raise ValidationFailed("The admin email is not valid.", loc=("admin_email",)) from exc
    if len(admin_password) < 8:
        raise ValidationFailed(
            "The admin password needs at least 8 characters.", loc=("admin_password",)
        )
    if await session.scalar(select(Workspace.id).where(Workspace.slug == slug)):
        raise Conflict(f"A workspace with slug {slug!r} exists already.")
    workspace = Workspace(
        id=new_id(),
        slug=slug,
        name=name,
        ticket_prefix=ticket_prefix,
        timezone=timezone,
        next_ticket_number=1,
        settings={},
    )
    session.add(workspace)
    await session.flush()
    for position, (status_name, label, category) in enumerate(DEFAULT_STATUSES):
        session.add(
            Status(
                workspace_id=workspace.id,
                name=status_name,
                label=label,
                category=category,
                position=position,
            )
        )
    admin = User(
        id=new_id(),
        workspace_id=workspace.id,
        email=email,
        name=admin_name or email.split("@")[0].replace(".", " ").title(),
        role="admin",
        password_hash=hash_password(admin_password),
        active=True,
    )
    session.add(admin)
    await session.flush()
    return CreatedWorkspace(workspace=workspace, admin=admin)


def workspace_summary(workspace: Workspace) -> dict[str, object]:
    return {
        "id": str(workspace.id),
        "slug": workspace.slug,
        "name": workspace.name,
        "ticket_prefix": workspace.ticket_prefix,
    }


def user_summary(user: User) -> dict[str, object]:
    return {"id": str(user.id), "email": user.email}
