"""Imports: tickets moved over from another help desk, with their history."""
