"""email notification settings

Revision ID: 0010
Revises: 0009

Status-change emails go out by default, with a per-status opt-out (`notify_status_opt_out`)
instead of the opt-in list `notify_statuses`; a workspace that had opted in to some statuses
keeps exactly those (every other status is opted out). The team's new-ticket email gets its
address and switch.

Columns are added and dropped with plain ALTER TABLE on SQLite too (3.35+ drops columns
natively): a batch copy of `channel_settings` would lose the config-version triggers of 0007.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

_settings = sa.table(
    "channel_settings",
    sa.column("workspace_id", sa.Uuid()),
    sa.column("notify_statuses", sa.JSON()),
    sa.column("notify_status_opt_out", sa.JSON()),
    sa.column("notify_status_changed", sa.Boolean()),
)
_statuses = sa.table("statuses", sa.column("workspace_id", sa.Uuid()), sa.column("name"))


def _names_by_workspace(bind: sa.engine.Connection) -> dict[object, list[str]]:
    names: dict[object, list[str]] = {}
    for workspace_id, name in bind.execute(sa.select(_statuses.c.workspace_id, _statuses.c.name)):
        names.setdefault(workspace_id, []).append(name)
    return names


def upgrade() -> None:
    op.add_column(
        "channel_settings",
        sa.Column(
            "notify_status_changed", sa.Boolean(), server_default=sa.text("true"), nullable=False
        ),
    )
    op.add_column(
        "channel_settings",
        sa.Column(
            "notify_status_opt_out",
            _JSON,
            server_default=sa.text("'[\"closed\"]'"),
            nullable=False,
        ),
    )
    op.add_column(
        "channel_settings", sa.Column("team_address", sa.String(length=320), nullable=True)
    )
    op.add_column(
        "channel_settings",
        sa.Column(
            "notify_team_new_ticket", sa.Boolean(), server_default=sa.text("true"), nullable=False
        ),
    )
    bind = op.get_bind()
    names = _names_by_workspace(bind)
    rows = bind.execute(sa.select(_settings.c.workspace_id, _settings.c.notify_statuses)).all()
    for workspace_id, opted_in in rows:
        if not opted_in:
            continue  # never opted in to anything: the new default (every status but closed)
        opt_out = sorted(set(names.get(workspace_id, [])) - set(opted_in))
        bind.execute(
            _settings.update()
            .where(_settings.c.workspace_id == workspace_id)
            .values(notify_status_opt_out=opt_out)
        )
    op.drop_column("channel_settings", "notify_statuses")


def downgrade() -> None:
    op.add_column(
        "channel_settings",
        sa.Column("notify_statuses", _JSON, server_default=sa.text("'[]'"), nullable=False),
    )
    bind = op.get_bind()
    names = _names_by_workspace(bind)
    columns = (
        _settings.c.workspace_id,
        _settings.c.notify_status_opt_out,
        _settings.c.notify_status_changed,
    )
    for workspace_id, opt_out, enabled in bind.execute(sa.select(*columns)).all():
        opted_in = sorted(set(names.get(workspace_id, [])) - set(opt_out or [])) if enabled else []
        bind.execute(
            _settings.update()
            .where(_settings.c.workspace_id == workspace_id)
            .values(notify_statuses=opted_in)
        )
    for column in (
        "notify_team_new_ticket",
        "team_address",
        "notify_status_opt_out",
        "notify_status_changed",
    ):
        op.drop_column("channel_settings", column)
