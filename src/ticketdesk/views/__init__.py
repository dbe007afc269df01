"""Saved views: named list filters, personal or shared with the workspace."""
