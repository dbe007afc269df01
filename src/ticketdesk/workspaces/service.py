"""Creating a workspace (its admin, default statuses and ticket types) and changing its
settings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.auth.principal import Principal
from ticketdesk.crud import set_values
from ticketdesk.db import new_id
from ticketdesk.errors import Conflict, ValidationFailed
from ticketdesk.models import User, Workspace
from ticketdesk.schemas import normalize_email
from ticketdesk.statuses import service as statuses
from ticketdesk.ticket_types import service as ticket_types
from ticketdesk.users import service as users
from ticketdesk.workspaces import repository
from ticketdesk.workspaces.schemas import AdminSummary, WorkspaceSummary, WorkspaceUpdate

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
    if await repository.slug_taken(session, slug):
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
    repository.add_workspace(session, workspace)
    await session.flush()
    statuses.add_default_statuses(session, workspace.id)
    ticket_types.add_default_types(session, workspace.id)
    admin = await users.add_user(
        session,
        workspace.id,
        email=email,
        name=admin_name or email.split("@")[0].replace(".", " ").title(),
        role="admin",
        password=admin_password,
    )
    return CreatedWorkspace(workspace=workspace, admin=admin)


async def get_workspace(session: AsyncSession, principal: Principal) -> Workspace:
    workspace = await repository.get_workspace(session, principal.workspace_id)
    assert workspace is not None, "a principal always belongs to an existing workspace"
    return workspace


async def update_workspace(
    session: AsyncSession, principal: Principal, data: WorkspaceUpdate
) -> Workspace:
    """Rename the workspace or move it to another time zone."""
    workspace = await get_workspace(session, principal)
    set_values(workspace, data.model_dump(exclude_none=True))
    await session.flush()
    return workspace


def workspace_summary(workspace: Workspace) -> dict[str, object]:
    """The new workspace as `ticketdesk workspace create` prints it (JSON-ready)."""
    return WorkspaceSummary.model_validate(workspace).model_dump(mode="json")


def user_summary(user: User) -> dict[str, object]:
    """The first admin as `ticketdesk workspace create` prints it (JSON-ready)."""
    return AdminSummary.model_validate(user).model_dump(mode="json")
