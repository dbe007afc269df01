"""Merging a duplicate ticket into another, and splitting comments off into a new one."""
