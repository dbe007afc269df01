"""Ticket types and their lifecycles: statuses, transitions by role, required fields per
status, approval gates (and the approvals they open)."""
