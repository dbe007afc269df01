"""Contacts (the requesters) and their organisations: the customers view and lookup."""
