"""Workspace statuses, each mapped to the category that SLA clocks and reports go by."""
