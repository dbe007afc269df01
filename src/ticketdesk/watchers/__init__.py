"""Watchers: the users who follow a ticket and hear of its public changes."""
