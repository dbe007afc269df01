"""Bulk changes: one set of changes applied to up to 1,000 tickets, chunk by chunk."""
