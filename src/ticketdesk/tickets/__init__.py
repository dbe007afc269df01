"""Tickets: a ticket's life (create, change, status categories), the queue's filters and list."""
