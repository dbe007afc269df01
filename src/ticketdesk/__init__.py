"""ticketdesk: an API-first help-desk ticketing backend."""

__version__ = "0.1.0"
