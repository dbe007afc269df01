"""Workspaces: creating one (its admin, default statuses) and its settings."""
